package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpMethod;

import java.nio.charset.StandardCharsets;

/** Turns method bytes into {@link HttpMethod}, returning the shared constants without a String for the common verbs. */
final class KnownMethods {
    private static final HttpMethod[] METHODS = {
        HttpMethod.GET, HttpMethod.POST, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE,
        HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT,
    };
    private static final byte[][] NAMES = new byte[METHODS.length][];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            NAMES[i] = METHODS[i].name().getBytes(StandardCharsets.US_ASCII);
        }
    }

    private KnownMethods() {
    }

    /** The method named by bytes [index, index + length); unknown names go through {@link HttpMethod#valueOf}. */
    static HttpMethod decode(ByteBuf bytes, int index, int length) {
        for (int i = 0; i < METHODS.length; i++) {
            if (matches(NAMES[i], bytes, index, length)) {
                return METHODS[i];
            }
        }
        if (length == 0) {
            throw new IllegalArgumentException("request record method is empty");
        }
        return HttpMethod.valueOf(bytes.toString(index, length, StandardCharsets.US_ASCII));
    }

    private static boolean matches(byte[] name, ByteBuf bytes, int index, int length) {
        if (name.length != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes.getByte(index + i) != name[i]) {
                return false;
            }
        }
        return true;
    }
}
