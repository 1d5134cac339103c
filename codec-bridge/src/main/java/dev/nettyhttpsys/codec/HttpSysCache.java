package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

import java.time.Duration;

/**
 * Per-response control of the output cache (HTTP.SYS's kernel cache, the Linux engine's native
 * cache). The time-to-live travels as a private header that the encoder strips before sending.
 * Only a whole 200 response to a GET is offered to the cache.
 */
public final class HttpSysCache {
    /** The private header carrying the override, in seconds; never sent to clients. */
    public static final AsciiString TTL_HEADER = AsciiString.cached("x-httpsys-cache-ttl");

    private HttpSysCache() {
    }

    /** Caches this response for ttl (zero: do not cache it even if a server default is set). */
    public static <T extends HttpResponse> T setTtl(T response, Duration ttl) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("cache time-to-live must not be negative: " + ttl);
        }
        response.headers().set(TTL_HEADER, Long.toString(Math.min(ttl.getSeconds(), Integer.MAX_VALUE)));
        return response;
    }
}
