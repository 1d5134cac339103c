package dev.nettyhttpsys.codec;

import io.netty.util.AsciiString;

/**
 * HTTP.SYS known-header tables in HTTP_HEADER_ID order, identical to
 * native/common/header_ids.cpp: ids 0-19 are shared by requests and responses, 20-40 are request
 * headers, 20-29 response headers. Records carry known headers by id, so the common names cost no
 * string on either side of the boundary.
 */
public final class KnownHeaders {
    /** The id byte of a header passed by name in a record (records.h kUnknownHeader). */
    public static final int UNKNOWN = 0xFF;
    /** HttpHeaderRequestMaximum. */
    public static final int REQUEST_HEADER_COUNT = 41;
    /** HttpHeaderResponseMaximum. */
    public static final int RESPONSE_HEADER_COUNT = 30;

    // Response ids the encoder treats specially.
    static final int CONNECTION = 1;
    static final int KEEP_ALIVE = 3;
    static final int TRANSFER_ENCODING = 6;
    static final int UPGRADE = 7;
    static final int CONTENT_LENGTH = 11;

    // Spelled as HTTP.SYS and browsers do (the canonical form): a request's known headers reach
    // the pipeline with these names, as a socket would give them as sent.
    private static final AsciiString[] COMMON = names("Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma",
            "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Warning", "Allow", "Content-Length", "Content-Type",
            "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Expires",
            "Last-Modified");
    private static final AsciiString[] REQUEST_ONLY = names("Accept", "Accept-Charset", "Accept-Encoding",
            "Accept-Language", "Authorization", "Cookie", "Expect", "From", "Host", "If-Match", "If-Modified-Since",
            "If-None-Match", "If-Range", "If-Unmodified-Since", "Max-Forwards", "Proxy-Authorization", "Referer",
            "Range", "TE", "Translate", "User-Agent");
    private static final AsciiString[] RESPONSE_ONLY = names("Accept-Ranges", "Age", "ETag", "Location",
            "Proxy-Authenticate", "Retry-After", "Server", "Set-Cookie", "Vary", "WWW-Authenticate");

    private static final AsciiString[] REQUEST = concat(COMMON, REQUEST_ONLY);
    private static final AsciiString[] RESPONSE = concat(COMMON, RESPONSE_ONLY);
    private static final HeaderIdTable REQUEST_IDS = new HeaderIdTable(REQUEST);
    private static final HeaderIdTable RESPONSE_IDS = new HeaderIdTable(RESPONSE);

    private KnownHeaders() {
    }

    private static AsciiString[] names(String... names) {
        AsciiString[] cached = new AsciiString[names.length];
        for (int i = 0; i < names.length; i++) {
            cached[i] = AsciiString.cached(names[i]);
        }
        return cached;
    }

    private static AsciiString[] concat(AsciiString[] first, AsciiString[] second) {
        AsciiString[] all = new AsciiString[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Name of request header id 0-40 in its canonical spelling (e.g. {@code User-Agent}); throws for other ids. */
    public static AsciiString requestHeaderName(int id) {
        if (id < 0 || id >= REQUEST.length) {
            throw new IllegalArgumentException("unknown request header id " + id);
        }
        return REQUEST[id];
    }

    /** Name of response header id 0-29 in its canonical spelling (e.g. {@code ETag}); throws for other ids. */
    public static AsciiString responseHeaderName(int id) {
        if (id < 0 || id >= RESPONSE.length) {
            throw new IllegalArgumentException("unknown response header id " + id);
        }
        return RESPONSE[id];
    }

    /** The request id of a header name, case-insensitively; -1 when HTTP.SYS has no id for it. */
    public static int requestHeaderId(CharSequence name) {
        return REQUEST_IDS.idOf(name);
    }

    /**
     * The response id of a header name, case-insensitively; -1 when HTTP.SYS has no id for it.
     * Runs for every response header, so it allocates nothing.
     */
    public static int responseHeaderId(CharSequence name) {
        return RESPONSE_IDS.idOf(name);
    }

    /** Request name by id without the range check, for the decoder's hot loop (id already checked). */
    static AsciiString requestName(int id) {
        return REQUEST[id];
    }
}
