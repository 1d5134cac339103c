package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Reads a records.h {@code SocketAddressRecord} (u16 family 4|6|0, u16 port, 16 address bytes).
 * The local address is the same for nearly every request of a listener, so the last one decoded
 * is kept and reused: three fewer allocations per request.
 */
final class SocketAddressDecoder {
    static final int SIZE = 20;

    /** Immutable, so publishing it through a plain field is safe (final fields). */
    private static final class Cached {
        final int family;
        final int port;
        final long high;
        final long low;
        final InetSocketAddress address;

        Cached(int family, int port, long high, long low, InetSocketAddress address) {
            this.family = family;
            this.port = port;
            this.high = high;
            this.low = low;
            this.address = address;
        }
    }

    private static Cached lastLocal;

    private SocketAddressDecoder() {
    }

    /** The address at offset, or null when its family is 0 (unknown). */
    static InetSocketAddress decode(ByteBuf record, int offset, String field) {
        int family = record.getUnsignedShortLE(offset);
        if (family == 0) {
            return null;
        }
        int port = record.getUnsignedShortLE(offset + RecordLayout.ADDRESS_PORT);
        return newAddress(record, offset, family, port, field);
    }

    /** As {@link #decode}, reusing the previous result when the bytes are the same. */
    static InetSocketAddress decodeCached(ByteBuf record, int offset, String field) {
        int family = record.getUnsignedShortLE(offset);
        if (family == 0) {
            return null;
        }
        int port = record.getUnsignedShortLE(offset + RecordLayout.ADDRESS_PORT);
        long high = record.getLong(offset + 4);
        long low = record.getLong(offset + 12);
        Cached cached = lastLocal;
        if (cached != null && cached.family == family && cached.port == port && cached.high == high
                && cached.low == low) {
            return cached.address;
        }
        InetSocketAddress address = newAddress(record, offset, family, port, field);
        lastLocal = new Cached(family, port, high, low, address);
        return address;
    }

    private static InetSocketAddress newAddress(ByteBuf record, int offset, int family, int port, String field) {
        byte[] bytes;
        if (family == 4) {
            bytes = new byte[4];
        } else if (family == 6) {
            bytes = new byte[16];
        } else {
            throw new IllegalArgumentException("request record " + field + " address has unknown family " + family);
        }
        record.getBytes(offset + RecordLayout.ADDRESS_BYTES, bytes);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("unreachable: address of " + bytes.length + " bytes", e);
        }
    }
}
