package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KnownHeadersTest {
    /**
     * HTTP_HEADER_ID order (http.h). The library's own tables (native/common/header_ids.cpp) are
     * compared with KnownHeaders name by name when it loads (transport EngineAbi, EngineAbiTest).
     */
    static final List<String> COMMON = List.of("Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma",
            "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Warning", "Allow", "Content-Length", "Content-Type",
            "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Expires",
            "Last-Modified");
    static final List<String> REQUEST = concat(COMMON, List.of("Accept", "Accept-Charset", "Accept-Encoding",
            "Accept-Language", "Authorization", "Cookie", "Expect", "From", "Host", "If-Match", "If-Modified-Since",
            "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Proxy-Authorization", "Referer",
            "Range", "TE", "Translate", "User-Agent"));
    static final List<String> RESPONSE = concat(COMMON, List.of("Accept-Ranges", "Age", "ETag", "Location",
            "Proxy-Authenticate", "Retry-After", "Server", "Set-Cookie", "Vary", "WWW-Authenticate"));

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    @Test
    void requestTableMatchesHttpHeaderIdOrder() {
        assertEquals(41, REQUEST.size());
        assertEquals(KnownHeaders.REQUEST_HEADER_COUNT, REQUEST.size());
        for (int id = 0; id < REQUEST.size(); id++) {
            AsciiString name = KnownHeaders.requestHeaderName(id);
            assertEquals(REQUEST.get(id), name.toString(), "request id " + id);
            assertEquals(id, KnownHeaders.requestHeaderId(REQUEST.get(id)));
        }
    }

    @Test
    void responseTableMatchesHttpHeaderIdOrder() {
        assertEquals(30, RESPONSE.size());
        assertEquals(KnownHeaders.RESPONSE_HEADER_COUNT, RESPONSE.size());
        for (int id = 0; id < RESPONSE.size(); id++) {
            AsciiString name = KnownHeaders.responseHeaderName(id);
            assertEquals(RESPONSE.get(id), name.toString(), "response id " + id);
            assertEquals(id, KnownHeaders.responseHeaderId(RESPONSE.get(id)), RESPONSE.get(id));
        }
    }

    @Test
    void namesAreCanonicalAndMatchNettysConstantsIgnoringCase() {
        assertEquals("Host", KnownHeaders.requestHeaderName(28).toString());
        assertEquals("User-Agent", KnownHeaders.requestHeaderName(40).toString());
        assertEquals(HttpHeaderNames.CONTENT_LENGTH.toString(), KnownHeaders.requestHeaderName(11).toLowerCase().toString());
        assertEquals(HttpHeaderNames.SET_COOKIE.toString(), KnownHeaders.responseHeaderName(27).toLowerCase().toString());
        assertEquals("WWW-Authenticate", KnownHeaders.responseHeaderName(29).toString());
    }

    @Test
    void responseIdIsCaseInsensitiveForEveryKindOfCharSequence() {
        assertEquals(12, KnownHeaders.responseHeaderId(HttpHeaderNames.CONTENT_TYPE));
        assertEquals(12, KnownHeaders.responseHeaderId("Content-Type"));
        assertEquals(12, KnownHeaders.responseHeaderId("CONTENT-TYPE"));
        assertEquals(12, KnownHeaders.responseHeaderId(AsciiString.of("cOnTeNt-TyPe")));
        assertEquals(12, KnownHeaders.responseHeaderId(new StringBuilder("content-type")));
        assertEquals(22, KnownHeaders.responseHeaderId("etag"));
        assertEquals(29, KnownHeaders.responseHeaderId("Www-Authenticate"));
    }

    @Test
    void nettysConstantsGetTheIdsOfTheirNames() throws IllegalAccessException {
        // The table answers Netty's constants by identity: each must still get its own name's id.
        int known = 0;
        for (Field field : HttpHeaderNames.class.getFields()) {
            if (field.getType() != AsciiString.class) {
                continue;
            }
            AsciiString constant = (AsciiString) field.get(null);
            String spelledAgain = new String(constant.toString().toUpperCase());
            assertEquals(KnownHeaders.requestHeaderId(spelledAgain), KnownHeaders.requestHeaderId(constant), field.getName());
            assertEquals(KnownHeaders.responseHeaderId(spelledAgain), KnownHeaders.responseHeaderId(constant),
                    field.getName());
            known += KnownHeaders.responseHeaderId(constant) >= 0 ? 1 : 0;
        }
        assertEquals(RESPONSE.size(), known, "Netty has a constant for every known response name");
        assertEquals(11, KnownHeaders.responseHeaderId(HttpHeaderNames.CONTENT_LENGTH));
        assertEquals(-1, KnownHeaders.responseHeaderId(HttpHeaderNames.ORIGIN));
        assertEquals(28, KnownHeaders.requestHeaderId(HttpHeaderNames.HOST));
    }

    @Test
    void unknownResponseNamesAreMinusOne() {
        assertEquals(-1, KnownHeaders.responseHeaderId("X-Custom"));
        assertEquals(-1, KnownHeaders.responseHeaderId(""));
        assertEquals(-1, KnownHeaders.responseHeaderId("Host"));           // a request-only id
        assertEquals(-1, KnownHeaders.responseHeaderId("Content-Type2"));
        assertEquals(-1, KnownHeaders.responseHeaderId("Content-Typ"));
        assertEquals(-1, KnownHeaders.responseHeaderId("x-httpsys-cache-ttl"));
        assertEquals(-1, KnownHeaders.requestHeaderId("Server"));        // a response-only id
    }

    @Test
    void idsOutsideTheTablesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> KnownHeaders.requestHeaderName(41));
        assertThrows(IllegalArgumentException.class, () -> KnownHeaders.requestHeaderName(-1));
        assertThrows(IllegalArgumentException.class, () -> KnownHeaders.responseHeaderName(30));
        assertThrows(IllegalArgumentException.class, () -> KnownHeaders.responseHeaderName(KnownHeaders.UNKNOWN));
    }
}
