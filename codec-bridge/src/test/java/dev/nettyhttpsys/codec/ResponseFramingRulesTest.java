package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a handler gets for framing the engine will not put on the wire as given: a clear
 * exception, or the one unambiguous reading (issue 19, response side).
 */
class ResponseFramingRulesTest extends EncoderTestSupport {
    /** Netty's own header validation off, as a handler may have it, so only the encoder checks. */
    private static final HttpHeadersFactory UNVALIDATED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private static void assertRefused(Executable encode, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, encode);
        assertTrue(e.getMessage().contains(why), "'" + e.getMessage() + "' names " + why);
    }

    private HttpResponse headWith(String name, String value) {
        HttpResponse response = new DefaultHttpResponse(HTTP_1_1, OK, UNVALIDATED);
        response.headers().add(name, value);
        return response;
    }

    @Test
    void aStreamedBodyMayNotRunPastItsContentLength() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, headWith("Content-Length", "5"));
        assertEquals("abc", text(send(encoder, content(heap("abc")))));
        assertRefused(() -> encode(encoder, content(heap("def"))), "runs past its Content-Length of 5");
    }

    @Test
    void aStreamedBodyMayNotEndShortOfItsContentLength() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET);
        send(encoder, headWith("Content-Length", "10"));
        send(encoder, content(heap("abc")));
        assertRefused(() -> encode(encoder, last(heap("de"))), "ends at 5 of its Content-Length of 10");
    }

    @Test
    void aWholeResponseMustMatchItsContentLength() {
        FullHttpResponse response = full("hello");
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 10);
        assertRefused(() -> encode(encoder(HttpMethod.GET), response), "Content-Length 10 does not match the 5 bytes");
    }

    @Test
    void contentLengthsMustBeNumbersAndAgree() {
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("Content-Length", "ten")), "is not a number");
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("Content-Length", "-1")), "is not a number");
        HttpResponse differing = headWith("Content-Length", "3");
        differing.headers().add("Content-Length", "4");
        assertRefused(() -> encode(encoder(HttpMethod.GET), differing), "conflicting Content-Length values 3 and 4");
    }

    @Test
    void identicalContentLengthsAreOne() {
        HttpResponse response = headWith("Content-Length", "3");
        response.headers().add("content-length", "3");
        ParsedResponseRecord head = send(encoder(HttpMethod.GET), response);
        assertEquals(List.of("3"), head.headerValues("content-length"));
    }

    @Test
    void contentLengthBesideChunkedIsRefused() {
        HttpResponse response = headWith("Content-Length", "3");
        response.headers().add("Transfer-Encoding", "chunked");
        assertRefused(() -> encode(encoder(HttpMethod.GET), response), "together with Transfer-Encoding: chunked");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "gzip, chunked", "chunked, chunked", "identity"})
    void transferCodingsOtherThanOneChunkedAreRefused(String codings) {
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("Transfer-Encoding", codings)),
                "compress with Content-Encoding");
    }

    @Test
    void noContentStatusesCarryNoBodyAndNoStrayLength() {
        for (HttpResponseStatus status : List.of(HttpResponseStatus.NO_CONTENT, HttpResponseStatus.RESET_CONTENT)) {
            FullHttpResponse response = full(status, heap("content"));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 7);
            ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
            assertTrue(record.chunks().isEmpty(), status + " sends no content");
            assertEquals(status.code() == 205 ? List.of("0") : List.of(), record.headerValues("content-length"));
        }
    }

    @Test
    void notModifiedKeepsTheLengthTheFullAnswerWouldHave() {
        FullHttpResponse response = full(HttpResponseStatus.NOT_MODIFIED, heap("content"));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 100);
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertTrue(record.chunks().isEmpty());
        assertEquals("100", record.header("content-length"));
    }

    @Test
    void controlCharactersInFieldsFailTheWrite() {
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("X-A", "a\r\nInjected: 1")),
                "header X-A contains character 0x0D");
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("X-A", "a\u0001")), "character 0x01");
        assertRefused(() -> encode(encoder(HttpMethod.GET), headWith("X A", "1")), "name 'X A' is not a token");
        assertEquals("a\tb", send(encoder(HttpMethod.GET), headWith("X-A", "a\tb")).header("x-a"));
    }

    @Test
    void controlCharactersInTheReasonFailTheWrite() {
        HttpResponse response = head(new HttpResponseStatus(200, "O\u0001K"));
        assertRefused(() -> encode(encoder(HttpMethod.GET), response), "reason phrase contains character 0x01");
    }

    @Test
    void trailersAreCheckedLikeHeaders() {
        ResponseRecordEncoder injected = encoder(HttpMethod.GET);
        send(injected, head(OK));
        LastHttpContent last = track(new DefaultLastHttpContent(heap("x"), UNVALIDATED));
        last.trailingHeaders().add("X-T", "a\r\nInjected: 1");
        assertRefused(() -> encode(injected, last), "trailer X-T contains character 0x0D");

        ResponseRecordEncoder framing = encoder(HttpMethod.GET);
        send(framing, head(OK));
        LastHttpContent lengthTrailer = track(new DefaultLastHttpContent(heap("x"), UNVALIDATED));
        lengthTrailer.trailingHeaders().add("Content-Length", "1");
        assertRefused(() -> encode(framing, lengthTrailer), "framing, routing or connection field");
    }

    @Test
    void http2GetsNoChunkedFramingAndNoTrailers() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_1, true, 0);
        ParsedResponseRecord head = send(encoder, head(OK));
        assertFalse(head.isChunked());
        LastHttpContent last = last(heap("end"));
        last.trailingHeaders().set("X-T", "1");
        ParsedResponseRecord end = send(encoder, last);
        assertTrue(end.trailers().isEmpty());
        assertNull(end.header("transfer-encoding"));
    }

    @Test
    void aSwitchingProtocolsHeadCarriesNoLength() {
        DefaultFullHttpResponse response = track(new DefaultFullHttpResponse(HTTP_1_1,
                HttpResponseStatus.SWITCHING_PROTOCOLS, heap("")));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.UPGRADE, "websocket");
        ParsedResponseRecord record = send(encoder(HttpMethod.GET), response);
        assertNull(record.header("content-length"));
        assertTrue(record.isOpaque());
    }
}
