package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record's cacheTtlSeconds: default, per-response override, and who is eligible. */
class CacheTtlEncodingTest extends EncoderTestSupport {

    private long ttl(ResponseRecordEncoder encoder, Object response) {
        return send(encoder, response).cacheTtlSeconds();
    }

    @Test
    void wholeOkResponseToGetGetsTheDefault() {
        assertEquals(60, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 60), full("cached")));
    }

    @Test
    void noDefaultMeansNoCaching() {
        assertEquals(0, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 0), full("x")));
    }

    @Test
    void overrideWinsAndIsNeverSent() {
        FullHttpResponse response = HttpSysCache.setTtl(full("x"), Duration.ofMinutes(2));
        ParsedResponseRecord record = send(encoder(HttpMethod.GET, HTTP_1_1, false, 60), response);
        assertEquals(120, record.cacheTtlSeconds());
        assertNull(record.header(HttpSysCache.TTL_HEADER_NAME));
        assertNull(record.header("X-HttpSys-Cache-Ttl"));
    }

    @Test
    void overrideWithoutADefault() {
        FullHttpResponse response = HttpSysCache.setTtl(full("x"), Duration.ofSeconds(30));
        assertEquals(30, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 0), response));
    }

    @Test
    void zeroOverrideTurnsTheDefaultOff() {
        FullHttpResponse response = HttpSysCache.setTtl(full("x"), Duration.ZERO);
        assertEquals(0, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 60), response));
    }

    @Test
    void setTtlReturnsItsArgumentAndRoundsDownToSeconds() {
        FullHttpResponse response = full("x");
        assertSame(response, HttpSysCache.setTtl(response, Duration.ofMillis(1999)));
        assertEquals("1", response.headers().get(HttpSysCache.TTL_HEADER));
        response.release();
    }

    @Test
    void hugeTtlIsClampedToTheU32Field() {
        FullHttpResponse response = HttpSysCache.setTtl(full("x"), Duration.ofDays(365L * 1000));
        assertEquals(0xFFFFFFFFL, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 0), response));
    }

    @Test
    void negativeTtlIsRejected() {
        FullHttpResponse response = full("x");
        assertThrows(IllegalArgumentException.class, () -> HttpSysCache.setTtl(response, Duration.ofSeconds(-1)));
        response.release();
    }

    @Test
    void malformedOverrideIsRejectedAndTheResponseReleased() {
        FullHttpResponse response = full("x");
        response.headers().set(HttpSysCache.TTL_HEADER, "soon");
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_1, false, 60);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> encode(encoder, response));
        assertTrue(e.getMessage().contains(HttpSysCache.TTL_HEADER_NAME), e.getMessage());
    }

    @Test
    void responsesChosenPerClientAreNeverCached() {
        FullHttpResponse varying = full("gzip bytes");
        varying.headers().set("Vary", "Accept-Encoding");
        assertEquals(0, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 60), varying));
        FullHttpResponse cookie = HttpSysCache.setTtl(full("hello"), Duration.ofSeconds(30));
        cookie.headers().set("Set-Cookie", "session=1");
        assertEquals(0, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 0), cookie), "even with an override");
    }

    @Test
    void onlyGetIsCached() {
        assertEquals(0, ttl(encoder(HttpMethod.POST, HTTP_1_1, false, 60), full("x")));
        assertEquals(0, ttl(encoder(HttpMethod.HEAD, HTTP_1_1, false, 60), full("x")));
        FullHttpResponse overridden = HttpSysCache.setTtl(full("x"), Duration.ofSeconds(5));
        assertEquals(0, ttl(encoder(HttpMethod.PUT, HTTP_1_1, false, 60), overridden));
    }

    @Test
    void onlyStatus200IsCached() {
        FullHttpResponse notFound = HttpSysCache.setTtl(full(NOT_FOUND, heap("x")), Duration.ofSeconds(5));
        assertEquals(0, ttl(encoder(HttpMethod.GET, HTTP_1_1, false, 60), notFound));
    }

    @Test
    void streamedResponsesAreNotCachedAndTheHeaderIsStillStripped() {
        ResponseRecordEncoder encoder = encoder(HttpMethod.GET, HTTP_1_1, false, 60);
        HttpResponse response = HttpSysCache.setTtl(head(OK), Duration.ofSeconds(5));
        ParsedResponseRecord head = send(encoder, response);
        assertEquals(0, head.cacheTtlSeconds());
        assertNull(head.header(HttpSysCache.TTL_HEADER_NAME));
        assertEquals(0, send(encoder, LastHttpContent.EMPTY_LAST_CONTENT).cacheTtlSeconds());
    }
}
