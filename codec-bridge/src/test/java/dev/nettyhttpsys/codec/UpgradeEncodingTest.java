package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import org.junit.jupiter.api.Test;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SWITCHING_PROTOCOLS;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_DISCONNECT;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_HAS_HEAD;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_MORE_DATA;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_OPAQUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 101 Switching Protocols: the opaque flag, then raw bytes. */
class UpgradeEncodingTest extends EncoderTestSupport {

    private static void upgradeHeaders(HttpResponse response) {
        response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void fullSwitchingProtocolsGoesOpaqueThenPassesBytesRaw() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        FullHttpResponse response = full(SWITCHING_PROTOCOLS, heap(""));
        upgradeHeaders(response);
        EncodedSend headSend = encode(encoder, response);
        ParsedResponseRecord head = ResponseRecordReader.read(headSend);
        assertEquals(FLAG_HAS_HEAD | FLAG_OPAQUE | FLAG_MORE_DATA, head.flags());
        assertFalse(headSend.isLast());
        assertEquals(101, head.status());
        assertEquals("Switching Protocols", head.reason());
        assertEquals("websocket", head.header("upgrade"));
        assertEquals("upgrade", head.header("connection"));
        assertNull(head.header("content-length"));
        assertNull(head.header("transfer-encoding"));
        assertTrue(head.chunks().isEmpty());
        assertTrue(encoder.isOpaque());

        ParsedResponseRecord frame = send(encoder, heap("\u0081\u0002hi"));
        assertEquals(FLAG_MORE_DATA, frame.flags());
        assertEquals("\u0081\u0002hi", text(frame));

        ParsedResponseRecord directFrame = send(encoder, direct("\u0082\u0001z"));
        assertEquals("\u0082\u0001z", text(directFrame));

        ParsedResponseRecord holder = send(encoder, track(new BinaryWebSocketFrame(heap("frame"))));
        assertEquals("frame", text(holder));

        assertNull(encode(encoder, heap("")));
        assertNull(encode(encoder, LastHttpContent.EMPTY_LAST_CONTENT));
        assertFalse(encoder.isComplete());

        // Closing the channel ends the stream gracefully: an empty send that disconnects.
        EncodedSend end = encoder.encodeOpaqueEnd(alloc);
        ParsedResponseRecord endRecord = ResponseRecordReader.read(end);
        end.release();
        assertEquals(FLAG_DISCONNECT, endRecord.flags());
        assertTrue(endRecord.chunks().isEmpty());
        assertTrue(encoder.isComplete());
        assertThrows(IllegalStateException.class, () -> encoder.encodeOpaqueEnd(alloc));
    }

    @Test
    void onlyAnOpaqueStreamCanBeEnded() {
        assertThrows(IllegalStateException.class, () -> encoder(HttpMethod.GET).encodeOpaqueEnd(alloc));
    }

    @Test
    void streamedSwitchingProtocolsGoesOpaqueToo() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse response = head(SWITCHING_PROTOCOLS);
        upgradeHeaders(response);
        ParsedResponseRecord head = send(encoder, response);
        assertEquals(FLAG_HAS_HEAD | FLAG_OPAQUE | FLAG_MORE_DATA, head.flags());
        assertNull(head.header("transfer-encoding"), "no chunked framing on a 101");
        assertEquals("abc", text(send(encoder, content(heap("abc")))));
    }

    @Test
    void bytesInTheSwitchingResponseItselfAreSentRaw() {
        ParsedResponseRecord head = send(encoder(HttpMethod.GET), full(SWITCHING_PROTOCOLS, heap("early")));
        assertEquals("early", text(head));
        assertNull(head.header("content-length"));
    }

    @Test
    void aSecondHeadAfterTheUpgradeIsRejected() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, full(SWITCHING_PROTOCOLS, heap("")));
        FullHttpResponse second = full("no");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> encode(encoder, second));
        assertTrue(e.getMessage().contains("101"), e.getMessage());
    }

    @Test
    void withoutUpgradeNothingIsOpaque() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        assertFalse(send(encoder, head(OK)).isOpaque());
        assertFalse(encoder.isOpaque());
    }
}
