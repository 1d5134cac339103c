package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_BUFFER_DATA;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_ENABLE_NAGLING;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_HAS_HEAD;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_MORE_DATA;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Transport send flags (kernel buffering, Nagle) ride on every send, beside the framing flags. */
class SendFlagsTest extends EncoderTestSupport {
    @Test
    void everySendOfAStreamedResponseCarriesThem() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        encoder.setSendFlags(FLAG_BUFFER_DATA | FLAG_ENABLE_NAGLING);
        int chunked = ResponseRecordEncoder.FLAG_CHUNKED;
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA | FLAG_BUFFER_DATA | FLAG_ENABLE_NAGLING | chunked,
                send(encoder, head(OK)).flags());
        assertEquals(FLAG_MORE_DATA | FLAG_BUFFER_DATA | FLAG_ENABLE_NAGLING | chunked,
                send(encoder, content(heap("part"))).flags());
        assertEquals(FLAG_BUFFER_DATA | FLAG_ENABLE_NAGLING | chunked, send(encoder, last(heap("end"))).flags());
    }

    @Test
    void framingBitsCannotBeSmuggledIn() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        encoder.setSendFlags(ResponseRecordEncoder.FLAG_DISCONNECT | ResponseRecordEncoder.FLAG_OPAQUE
                | ResponseRecordEncoder.FLAG_CHUNKED | FLAG_BUFFER_DATA);
        assertEquals(FLAG_HAS_HEAD | FLAG_BUFFER_DATA, send(encoder, full("hello")).flags());
    }

    @Test
    void noFlagsByDefault() {
        assertEquals(FLAG_HAS_HEAD, send(encoder(HttpMethod.GET), full("hello")).flags());
    }
}
