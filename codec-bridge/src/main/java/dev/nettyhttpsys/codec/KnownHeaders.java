package dev.nettyhttpsys.codec;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;

import java.util.HashMap;
import java.util.Map;

/**
 * HTTP.SYS known-header tables (HTTP_HEADER_ID order, as native/common/header_ids.cpp): ids 0-19
 * are shared by requests and responses, 20-40 are request headers, 20-29 response headers. The
 * engine passes known headers by id, so common names cost no string on either side.
 */
public final class KnownHeaders {
    /** Marks a header passed by name in a record. */
    public static final int UNKNOWN = 0xFF;

    private static final AsciiString[] COMMON = {
        HttpHeaderNames.CACHE_CONTROL, HttpHeaderNames.CONNECTION, HttpHeaderNames.DATE,
        HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PRAGMA, HttpHeaderNames.TRAILER,
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
        HttpHeaderNames.REFERER, HttpHeaderNames.RANGE, HttpHeaderNames.TE, AsciiString.cached("translate"),
        HttpHeaderNames.USER_AGENT,
    };
    private static final AsciiString[] RESPONSE_ONLY = {
        HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.AGE, HttpHeaderNames.ETAG, HttpHeaderNames.LOCATION,
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.RETRY_AFTER, HttpHeaderNames.SERVER,
        HttpHeaderNames.SET_COOKIE, HttpHeaderNames.VARY, HttpHeaderNames.WWW_AUTHENTICATE,
    };

    static final AsciiString[] REQUEST = concat(COMMON, REQUEST_ONLY);
    static final AsciiString[] RESPONSE = concat(COMMON, RESPONSE_ONLY);

    /** Lower-case name -> response id; HttpHeaderNames constants are lower case already. */
    private static final Map<AsciiString, Integer> RESPONSE_IDS = new HashMap<>();

    static {
        for (int id = 0; id < RESPONSE.length; id++) {
            RESPONSE_IDS.put(RESPONSE[id], id);
        }
    }

    private KnownHeaders() {
    }

    private static AsciiString[] concat(AsciiString[] first, AsciiString[] second) {
        AsciiString[] all = new AsciiString[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    /** Name of request header id 0-40; throws for other ids. */
    public static AsciiString requestHeaderName(int id) {
        if (id < 0 || id >= REQUEST.length) {
            throw new IllegalArgumentException("unknown request header id " + id);
        }
        return REQUEST[id];
    }

    /** Name of response header id 0-29; throws for other ids. */
    public static AsciiString responseHeaderName(int id) {
        if (id < 0 || id >= RESPONSE.length) {
            throw new IllegalArgumentException("unknown response header id " + id);
        }
        return RESPONSE[id];
    }

    /** The response id of a header name, case-insensitively; -1 when HTTP.SYS has no id for it. */
    public static int responseHeaderId(CharSequence name) {
        Integer id = RESPONSE_IDS.get(name instanceof AsciiString && isLowerCase((AsciiString) name)
                ? (AsciiString) name : AsciiString.of(name).toLowerCase());
        return id == null ? -1 : id;
    }

    private static boolean isLowerCase(AsciiString name) {
        for (int i = 0; i < name.length(); i++) {
            byte b = name.byteAt(i);
            if (b >= 'A' && b <= 'Z') {
                return false;
            }
        }
        return true;
    }
}
