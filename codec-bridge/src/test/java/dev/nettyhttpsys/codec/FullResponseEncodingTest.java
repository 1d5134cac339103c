package dev.nettyhttpsys.codec;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.netty.handler.codec.http.HttpResponseStatus.NOT_MODIFIED;
import static io.netty.handler.codec.http.HttpResponseStatus.NO_CONTENT;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole responses: framing, bodiless statuses and HEAD. */
class FullResponseEncodingTest extends EncoderTestSupport {

    @Test
    void fullResponseGetsContentLength() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        ParsedResponseRecord record = send(encoder, response);
        assertEquals(ResponseRecordEncoder.FLAG_HAS_HEAD, record.flags());
        assertEquals(200, record.status());
        assertEquals("OK", record.reason());
        assertEquals("text/plain", record.header("content-type"));
        assertEquals("5", record.header("content-length"));
        assertEquals("hello", text(record));
        assertEquals(1, record.chunks().size());
        assertTrue(encoder.isComplete());
    }

    @Test
    void handlerContentLengthIsKeptAsItIs() {
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(1, record.headerValues("Content-Length").size());
        assertEquals("5", record.header("Content-Length"));
    }

    @Test
    void emptyFullResponseGetsContentLengthZeroAndNoChunks() {
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), full(OK, track(Unpooled.buffer(0))));
        assertEquals("0", record.header("content-length"));
        assertTrue(record.chunks().isEmpty());
    }

    @Test
    void handlerChosenChunkedIsTheEnginesWithTrailersAsFields() {
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        response.trailingHeaders().set("X-Sum", "42");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertNull(record.header("content-length"));
        assertNull(record.header("transfer-encoding"), "the engine writes it");
        assertTrue(record.isChunked());
        assertEquals("hello", text(record));
        assertEquals(List.of(new ParsedResponseRecord.Header(-1, "X-Sum", "42")), record.trailers());
    }

    @Test
    void reasonPhraseComesFromTheStatus() {
        ParsedResponseRecord record = send(encoder(HttpMethod.GET),
                full(new HttpResponseStatus(299, "Custom Reason"), heap("")));
        assertEquals(299, record.status());
        assertEquals("Custom Reason", record.reason());
    }

    @ParameterizedTest
    @ValueSource(ints = {204, 304})
    void bodilessStatusesGetNoBodyAndNoContentLength(int code) {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        ParsedResponseRecord record = send(encoder, full(HttpResponseStatus.valueOf(code), heap("ignored")));
        assertEquals(code, record.status());
        assertNull(record.header("content-length"));
        assertNull(record.header("transfer-encoding"));
        assertTrue(record.chunks().isEmpty());
        assertTrue(encoder.isComplete());
    }

    @Test
    void notModifiedKeepsTheHandlersContentLength() {
        FullHttpResponse response = full(NOT_MODIFIED, heap(""));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1234);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals("1234", record.header("content-length"));
        assertTrue(record.chunks().isEmpty());
    }

    @Test
    void noContentIgnoresHandlerChunked() {
        FullHttpResponse response = full(NO_CONTENT, heap(""));
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertTrue(record.chunks().isEmpty(), "no 0-chunk after a 204");
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 102, 103})
    void interimResponsesProduceNothingAndTheFinalOneFollows(int code) {
        ResponseRecordEncoder encoder = encoder(HttpMethod.POST);
        assertNull(encode(encoder, full(HttpResponseStatus.valueOf(code), heap("x"))));
        assertNull(encode(encoder, head(HttpResponseStatus.valueOf(code))));
        assertFalse(encoder.isComplete());
        ParsedResponseRecord record = send(encoder, full("done"));
        assertEquals(200, record.status());
        assertEquals("done", text(record));
    }

    @Test
    void headKeepsHandlerHeadersAndDropsTheBody() {
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        ParsedResponseRecord record = send(encoder(HttpMethod.HEAD), response);
        assertEquals("5", record.header("content-length"));
        assertTrue(record.chunks().isEmpty());
        assertEquals(ResponseRecordEncoder.FLAG_HAS_HEAD, record.flags());
    }

    @Test
    void headAddsNoContentLength() {
        ParsedResponseRecord record = send(encoder(HttpMethod.HEAD), full("hello"));
        assertNull(record.header("content-length"));
        assertTrue(record.chunks().isEmpty());
    }

    @Test
    void headWithDirectBodyPinsNothing() {
        EncodedSend send = encode(encoder(HttpMethod.HEAD), full(OK, direct("hello")));
        assertEquals(0, send.pinnedBufferCount());
    }

    @Test
    void http10FullResponseGetsContentLengthAndKeepsTheConnection() {
        ParsedResponseRecord record = send(encoder(HttpMethod.GET, HTTP_1_0, false, 0), full("hi"));
        assertEquals("2", record.header("content-length"));
        assertFalse(record.isDisconnect());
    }

    @Test
    void connectionCloseDisconnects() {
        FullHttpResponse response = full("bye");
        response.headers().set(HttpHeaderNames.CONNECTION, "Close");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertEquals(ResponseRecordEncoder.FLAG_HAS_HEAD | ResponseRecordEncoder.FLAG_DISCONNECT, record.flags());
        assertEquals("Close", record.header("connection"));
    }

    @Test
    void http10ResponseWithoutKeepAliveDisconnectsAsNettyReadsIt() {
        // HttpServerKeepAliveHandler says "close" to an HTTP/1.0 client by leaving keep-alive out.
        FullHttpResponse plain = track(new io.netty.handler.codec.http.DefaultFullHttpResponse(HTTP_1_0, OK, heap("x")));
        assertTrue(send(encoder(HttpMethod.GET, HTTP_1_0, false, 0), plain).isDisconnect());
        FullHttpResponse kept = track(new io.netty.handler.codec.http.DefaultFullHttpResponse(HTTP_1_0, OK, heap("y")));
        kept.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        assertFalse(send(encoder(HttpMethod.GET, HTTP_1_0, false, 0), kept).isDisconnect());
    }

    @Test
    void connectionKeepAliveIsKeptAndDoesNotDisconnect() {
        FullHttpResponse response = full("hi");
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET, HTTP_1_0, false, 0), response);
        assertEquals("keep-alive", record.header("connection"));
        assertFalse(record.isDisconnect());
    }

    @Test
    void http2DropsConnectionSpecificHeadersAndGetsContentLength() {
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, "close").set("Keep-Alive", "timeout=5")
                .set(HttpHeaderNames.UPGRADE, "h2c").set("X-Kept", "1");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET, HTTP_1_1, true, 0), response);
        assertNull(record.header("transfer-encoding"));
        assertNull(record.header("connection"));
        assertNull(record.header("keep-alive"));
        assertNull(record.header("upgrade"));
        assertEquals("1", record.header("x-kept"));
        assertEquals("5", record.header("content-length"));
        assertEquals("hello", text(record));
        assertFalse(record.isDisconnect());
    }
}
