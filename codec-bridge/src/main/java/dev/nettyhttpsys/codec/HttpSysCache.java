package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;

import java.time.Duration;

/**
 * Per-response control of the output cache (HTTP.SYS's kernel response cache; the Linux engine
 * mirrors it). The server-wide default time-to-live applies unless a response overrides it here.
 * Only a whole ({@code FullHttpResponse}) 200 response to a GET request, without
 * {@code Set-Cookie} or {@code Vary}, is ever offered to the cache; any other response is sent
 * with a time-to-live of 0.
 *
 * <p>The override travels as the private header {@value #TTL_HEADER_NAME} (whole seconds) on the
 * response object itself, so it survives any handler between the writer and the transport. The
 * encoder reads it and never sends it to the client.
 */
public final class HttpSysCache {
    /** Name of the private header carrying the override. */
    public static final String TTL_HEADER_NAME = "x-httpsys-cache-ttl";
    /** The private header carrying the override, in seconds; never sent to clients. */
    public static final AsciiString TTL_HEADER = AsciiString.cached(TTL_HEADER_NAME);

    private HttpSysCache() {
    }

    /**
     * Sets this response's cache time-to-live, whole seconds (0: do not cache it even when a
     * server default is set). Returns the response for chaining.
     */
    public static <T extends HttpResponse> T setTtl(T response, Duration ttl) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("cache time-to-live must not be negative: " + ttl);
        }
        response.headers().set(TTL_HEADER, Long.toString(Math.min(ttl.getSeconds(), 0xFFFFFFFFL)));
        return response;
    }

    /** Parses the header's value. */
    static long parseTtl(String value) {
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 0) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(TTL_HEADER_NAME + " must be a non-negative number of seconds: "
                + value);
    }
}
