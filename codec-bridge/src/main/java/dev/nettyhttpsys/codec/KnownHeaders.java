package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpHeaderNames;
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

    /** HttpHeaderNames.KEEP_ALIVE is deprecated (an HTTP/1.0 relic), but HTTP.SYS still has an id for it. */
    private static final AsciiString KEEP_ALIVE_NAME = AsciiString.cached("keep-alive");

    private static final AsciiString[] COMMON = {
        HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.CONNECTION, HttpHeaderNames.DATE,
        KEEP_ALIVE_NAME, HttpHeaderNames.PRAGMA, HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, HttpHeaderNames.VIA,
        HttpHeaderNames.WARNING, HttpHeaderNames.ALLOW, HttpHeaderNames.CONTENT_LENGTH,
        HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.CONTENT_LANGUAGE,
        HttpHeaderNames.CONTENT_LOCATION, HttpHeaderNames.CONTENT_MD5, HttpHeaderNames.CONTENT_RANGE,
        HttpHeaderNames.EXPIRES, HttpHeaderNames.LAST_MODIFIED,
    };
    private static final AsciiString[] REQUEST_ONLY = {
        HttpHeaderNames.ACCEPT, HttpHeaderNames.ACCEPT_CHARSET, HttpHeaderNames.ACCEPT_ENCODING,
        HttpHeaderNames.ACCEPT_LANGUAGE, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.COOKIE,
        HttpHeaderNames.EXPECT, HttpHeaderNames.FROM, HttpHeaderNames.HOST, HttpHeaderNames.IF_MATCH,
        HttpHeaderNames.IF_MODIFIED_SINCE, HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.IF_RANGE,
        HttpHeaderNames.IF_UNMODIFIED_SINCE, HttpHeaderNames.MAX_FORWARDS, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.REFERER, HttpHeaderNames.RANGE, HttpHeaderNames.TE,
        AsciiString.cached("translate"),  // a WebDAV header Netty has no constant for
        HttpHeaderNames.USER_AGENT,
    };
    private static final AsciiString[] RESPONSE_ONLY = {
        HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.AGE, HttpHeaderNames.ETAG, HttpHeaderNames.LOCATION,
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.RETRY_AFTER, HttpHeaderNames.SERVER,
        HttpHeaderNames.SET_COOKIE, HttpHeaderNames.VARY, HttpHeaderNames.WWW_AUTHENTICATE,
    };

    private static final AsciiString[] REQUEST = concat(COMMON, REQUEST_ONLY);
    private static final AsciiString[] RESPONSE = concat(COMMON, RESPONSE_ONLY);
    private static final HeaderIdTable REQUEST_IDS = new HeaderIdTable(REQUEST);
    private static final HeaderIdTable RESPONSE_IDS = new HeaderIdTable(RESPONSE);

    private KnownHeaders() {
    }

    private static AsciiString[] concat(AsciiString[] first, AsciiString[] second) {
        AsciiString[] all = new AsciiString[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Name of request header id 0-40 (a {@code HttpHeaderNames} constant); throws for other ids. */
    public static AsciiString requestHeaderName(int id) {
        if (id < 0 || id >= REQUEST.length) {
            throw new IllegalArgumentException("unknown request header id " + id);
        }
        return REQUEST[id];
    }

    /** Name of response header id 0-29 (a {@code HttpHeaderNames} constant); throws for other ids. */
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
