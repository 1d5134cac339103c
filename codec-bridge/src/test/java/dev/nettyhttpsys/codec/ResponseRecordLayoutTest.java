package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The response record byte by byte, against records.h. */
class ResponseRecordLayoutTest extends EncoderTestSupport {

    @Test
    void recordFieldsAtTheirOffsets() {
        ByteBuf body = direct("body!");
        FullHttpResponse response = full(new HttpResponseStatus(201, "Made"), body);
        response.headers().set("X-A", "b");
        EncodedSend send = encode(encoder(HttpMethod.POST), response);
        ByteBuf r = send.record();
        int s = r.readerIndex();
        // ResponseRecordHeader
        assertEquals(send.recordLength(), r.getIntLE(s));
        assertEquals(ResponseRecordEncoder.FLAG_HAS_HEAD, r.getIntLE(s + 4));
        assertEquals(201, r.getUnsignedShortLE(s + 8));
        assertEquals(4, r.getUnsignedShortLE(s + 10));
        assertEquals(2, r.getUnsignedShortLE(s + 12));
        assertEquals(1, r.getUnsignedShortLE(s + 14));
        assertEquals(0, r.getIntLE(s + 16));
        assertEquals(0, r.getIntLE(s + 20));
        // reason
        assertEquals("Made", r.toString(s + 24, 4, StandardCharsets.US_ASCII));
        // unknown header: id 0xFF, reserved, nameLength 3, valueLength 1, name, value
        int h = s + 28;
        assertEquals(0xFF, r.getUnsignedByte(h));
        assertEquals(0, r.getUnsignedByte(h + 1));
        assertEquals(3, r.getUnsignedShortLE(h + 2));
        assertEquals(1, r.getIntLE(h + 4));
        assertEquals("X-Ab", r.toString(h + 8, 4, StandardCharsets.US_ASCII));
        // known header: Content-Length (11), no name, value "5"
        h += 12;
        assertEquals(11, r.getUnsignedByte(h));
        assertEquals(0, r.getUnsignedShortLE(h + 2));
        assertEquals(1, r.getIntLE(h + 4));
        assertEquals('5', r.getByte(h + 8));
        // zero padding to 8 (relative to the record start), then one DataChunk
        int padded = h + 9;
        int table = s + ((padded - s + 7) & ~7);
        for (int i = padded; i < table; i++) {
            assertEquals(0, r.getByte(i));
        }
        assertEquals(table + 32, s + send.recordLength());
        assertEquals(0, r.getIntLE(table));                 // kind memory
        assertEquals(0, r.getIntLE(table + 4));             // reserved
        assertEquals(body.memoryAddress(), r.getLongLE(table + 8));
        assertEquals(0, r.getLongLE(table + 16));           // offset
        assertEquals(5, r.getLongLE(table + 24));           // length
    }

    @Test
    void bodyOnlyRecordHasNoReasonOrHeaders() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        EncodedSend send = encode(encoder, content(direct("abc")));
        ByteBuf r = send.record();
        int s = r.readerIndex();
        assertEquals(ResponseRecordEncoder.FLAG_MORE_DATA | ResponseRecordEncoder.FLAG_CHUNKED, r.getIntLE(s + 4));
        assertEquals(0, r.getUnsignedShortLE(s + 8));
        assertEquals(0, r.getUnsignedShortLE(s + 10));
        assertEquals(0, r.getUnsignedShortLE(s + 12));
        assertEquals(1, r.getUnsignedShortLE(s + 14), "the body alone: chunk framing is the engine's");
        assertEquals(0, r.getUnsignedShortLE(s + 20), "no trailers");
        assertEquals(24 + 32, send.recordLength());
    }

    @Test
    void recordStartsEightByteAlignedInItsBuffer() {
        EncodedSend send = encode(encoder(HttpMethod.GET), full("odd length body"));
        assertEquals(0, send.record().readerIndex() % 8);
    }
}
