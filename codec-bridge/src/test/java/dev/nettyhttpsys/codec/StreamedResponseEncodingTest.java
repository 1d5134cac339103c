package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.netty.handler.codec.http.HttpResponseStatus.NO_CONTENT;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_CHUNKED;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_DISCONNECT;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_HAS_HEAD;
import static dev.nettyhttpsys.codec.ResponseRecordEncoder.FLAG_MORE_DATA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HttpResponse, HttpContent..., LastHttpContent: chunked (by the engine), length-delimited,
 * close-delimited.
 */
class StreamedResponseEncodingTest extends EncoderTestSupport {

    @Test
    void http11WithoutLengthIsChunkedByTheEngineWithTrailersAsFields() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        ParsedResponseRecord head = send(encoder, head(OK));
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA | FLAG_CHUNKED, head.flags());
        assertNull(head.header("transfer-encoding"), "the engine writes it");
        assertTrue(head.chunks().isEmpty());

        ParsedResponseRecord first = send(encoder, content(heap("hello")));
        assertEquals(FLAG_MORE_DATA | FLAG_CHUNKED, first.flags());
        assertFalse(first.hasHead());
        assertEquals("hello", text(first), "data only: the size line and CRLF are the engine's");

        LastHttpContent last = last(heap("end"));
        last.trailingHeaders().add("X-Checksum", "abc").add("X-Count", "3");
        EncodedSend lastSend = encode(encoder, last);
        ParsedResponseRecord end = ResponseRecordReader.read(lastSend);
        assertEquals(FLAG_CHUNKED, end.flags());
        assertTrue(lastSend.isLast());
        assertEquals("end", text(end));
        assertEquals(List.of(new ParsedResponseRecord.Header(-1, "X-Checksum", "abc"),
                new ParsedResponseRecord.Header(-1, "X-Count", "3")), end.trailers());
        assertTrue(encoder.isComplete());
    }

    @Test
    void directChunkIsReferencedInPlace() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        ByteBuf body = direct("world!");
        EncodedSend send = encode(encoder, content(body));
        ParsedResponseRecord record = ResponseRecordReader.read(send);
        assertEquals(1, record.chunks().size());
        assertEquals(body.memoryAddress() + body.readerIndex(), record.chunks().get(0).handleOrAddress());
        assertEquals("world!", text(record));
        assertEquals(1, send.pinnedBufferCount());
        assertEquals(1, body.refCnt(), "held by the send until it completes");
        send.release();
        assertEquals(0, body.refCnt());
    }

    @Test
    void emptyLastContentEndsTheChunkedBody() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        ParsedResponseRecord end = send(encoder, LastHttpContent.EMPTY_LAST_CONTENT);
        assertTrue(end.chunks().isEmpty());
        assertEquals(FLAG_CHUNKED, end.flags());
    }

    @Test
    void emptyContentInTheMiddleProducesNothing() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        assertNull(encode(encoder, content(heap(""))));
        assertNull(encode(encoder, track(Unpooled.buffer(0))));
        assertFalse(encoder.isComplete());
    }

    @Test
    void byteBufsAfterTheHeadAreContent() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, head(OK));
        ParsedResponseRecord record = send(encoder, heap("raw"));
        assertEquals("raw", text(record));
        assertEquals(FLAG_MORE_DATA | FLAG_CHUNKED, record.flags());
    }

    @Test
    void handlerChunkedIsTheEnginesAndNeverAFieldOfTheRecord() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "Chunked");
        ParsedResponseRecord head = send(encoder, response);
        assertNull(head.header("transfer-encoding"));
        assertTrue(head.isChunked());
        assertEquals("ab", text(send(encoder, last(heap("ab")))));
    }

    @Test
    void contentLengthMeansNoFraming() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 8);
        ParsedResponseRecord head = send(encoder, response);
        assertNull(head.header("transfer-encoding"));
        assertEquals("8", head.header("content-length"));
        assertEquals("abcd", text(send(encoder, content(heap("abcd")))));
        LastHttpContent last = last(heap("efgh"));
        last.trailingHeaders().set("X-Dropped", "no chunked framing, no trailers");
        ParsedResponseRecord end = send(encoder, last);
        assertEquals("efgh", text(end));
        assertEquals(0, end.flags());
    }

    @Test
    void http10WithoutLengthIsCloseDelimited() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_0, false, 0);
        ParsedResponseRecord head = send(encoder, head(OK));
        assertNull(head.header("transfer-encoding"));
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA, head.flags());
        assertEquals("abc", text(send(encoder, content(heap("abc")))));
        ParsedResponseRecord end = send(encoder, last(heap("def")));
        assertEquals("def", text(end));
        assertEquals(FLAG_DISCONNECT, end.flags());
    }

    @Test
    void http10WithLengthKeepsTheConnection() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_0, false, 0);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3);
        send(encoder, response);
        assertEquals(0, send(encoder, last(heap("abc"))).flags());
    }

    @Test
    void http10NeverGetsChunkedFramingEvenWhenTheHandlerAsks() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_0, false, 0);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ParsedResponseRecord head = send(encoder, response);
        assertNull(head.header("transfer-encoding"));
        assertFalse(head.isChunked());
        LastHttpContent last = last(heap("x"));
        last.trailingHeaders().set("X-T", "dropped: no chunked framing");
        ParsedResponseRecord end = send(encoder, last);
        assertEquals("x", text(end));
        assertTrue(end.trailers().isEmpty());
        assertEquals(FLAG_DISCONNECT, end.flags(), "close-delimited");
    }

    @Test
    void connectionCloseDisconnectsOnlyTheLastSend() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        assertFalse(send(encoder, response).isDisconnect());
        assertFalse(send(encoder, content(heap("a"))).isDisconnect());
        assertEquals(FLAG_DISCONNECT | FLAG_CHUNKED, send(encoder, LastHttpContent.EMPTY_LAST_CONTENT).flags());
    }

    @Test
    void headRequestStreamsTheHeadOnly() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.HEAD);
        ParsedResponseRecord head = send(encoder, head(OK));
        assertNull(head.header("transfer-encoding"), "HEAD: the handler's headers as they are");
        assertEquals(FLAG_HAS_HEAD | FLAG_MORE_DATA, head.flags());
        assertNull(encode(encoder, content(heap("dropped"))));
        ParsedResponseRecord end = send(encoder, last(direct("dropped too")));
        assertTrue(end.chunks().isEmpty());
        assertEquals(0, end.flags());
    }

    @Test
    void headRequestOverHttp10DoesNotDisconnect() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.HEAD, HTTP_1_0, false, 0);
        send(encoder, head(OK));
        assertEquals(0, send(encoder, LastHttpContent.EMPTY_LAST_CONTENT).flags());
    }

    @Test
    void streamedNoContentCarriesNoBody() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.DELETE);
        ParsedResponseRecord head = send(encoder, head(NO_CONTENT));
        assertNull(head.header("transfer-encoding"));
        assertNull(head.header("content-length"));
        assertNull(encode(encoder, content(heap("x"))));
        assertTrue(send(encoder, last(heap("y"))).chunks().isEmpty());
    }

    @Test
    void http2StreamsWithoutFraming() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_1, true, 0);
        HttpResponse response = head(OK);
        response.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ParsedResponseRecord head = send(encoder, response);
        assertNull(head.header("transfer-encoding"));
        assertNull(head.header("content-length"));
        assertEquals("abc", text(send(encoder, content(heap("abc")))));
        LastHttpContent last = last(heap("def"));
        last.trailingHeaders().set("X-T", "1");
        ParsedResponseRecord end = send(encoder, last);
        assertEquals("def", text(end));
        assertEquals(0, end.flags());
    }
}
