package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request record (records.h {@code RequestRecordHeader}, 88 bytes, then method, URL,
 * headers and first body bytes; little-endian) into a Netty {@link io.netty.handler.codec.http.HttpRequest}.
 * The engine has validated names and values, so Netty's header validation is off.
 */
public final class RequestRecordDecoder {
    static final int HEADER_SIZE = 88;
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);

    private RequestRecordDecoder() {
    }

    /** Decodes the record starting at the buffer's reader index; throws if it is malformed. */
    public static DecodedRequest decode(ByteBuf record, ByteBufAllocator alloc) {
        int base = record.readerIndex();
        int available = record.readableBytes();
        if (available < HEADER_SIZE) {
            throw new IllegalArgumentException("request record shorter than its 88-byte header: " + available);
        }
        int recordLength = record.getIntLE(base);
        if (recordLength < HEADER_SIZE || recordLength > available) {
            throw new IllegalArgumentException("request record length " + recordLength + " outside 88.." + available);
        }
        int flags = record.getIntLE(base + 4);
        long requestId = record.getLongLE(base + 8);
        long connectionId = record.getLongLE(base + 16);
        int major = record.getUnsignedShortLE(base + 24);
        int minor = record.getUnsignedShortLE(base + 26);
        int headerCount = record.getUnsignedShortLE(base + 28);
        int methodLength = record.getUnsignedShortLE(base + 30);
        long urlLength = record.getUnsignedIntLE(base + 32);
        long bodyLength = record.getUnsignedIntLE(base + 36);
        InetSocketAddress remote = address(record, base + 40);
        InetSocketAddress local = address(record, base + 60);

        int end = base + recordLength;
        int position = base + HEADER_SIZE;
        position = check(position, methodLength, end, "method");
        HttpMethod method = HttpMethod.valueOf(record.toString(base + HEADER_SIZE, methodLength, StandardCharsets.US_ASCII));
        int urlStart = position;
        position = check(position, urlLength, end, "url");
        String uri = record.toString(urlStart, (int) urlLength, StandardCharsets.UTF_8);
        HttpVersion version = major == 1 && minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;

        HttpHeaders headers = HEADERS.newHeaders();
        for (int i = 0; i < headerCount; i++) {
            check(position, 8, end, "header entry " + i);
            int id = record.getUnsignedByte(position);
            int nameLength = record.getUnsignedShortLE(position + 2);
            long valueLength = record.getUnsignedIntLE(position + 4);
            position += 8;
            CharSequence name;
            if (id == KnownHeaders.UNKNOWN) {
                int nameStart = position;
                position = check(position, nameLength, end, "header name " + i);
                byte[] bytes = new byte[nameLength];
                record.getBytes(nameStart, bytes);
                name = new AsciiString(bytes, false);
            } else {
                if (id >= KnownHeaders.REQUEST.length) {
                    throw new IllegalArgumentException("request header " + i + " has unknown id " + id);
                }
                name = KnownHeaders.REQUEST[id];
            }
            int valueStart = position;
            position = check(position, valueLength, end, "header value " + i);
            headers.add(name, record.toString(valueStart, (int) valueLength, StandardCharsets.ISO_8859_1));
        }
        int bodyStart = position;
        check(position, bodyLength, end, "body");
        ByteBuf body = bodyLength == 0 ? Unpooled.EMPTY_BUFFER : alloc.buffer((int) bodyLength)
                .writeBytes(record, bodyStart, (int) bodyLength);
        DefaultHttpRequest request = new DefaultHttpRequest(version, method, uri, headers);
        return new DecodedRequest(request, body, requestId, connectionId, flags, remote, local);
    }

    private static int check(int position, long length, int end, String field) {
        if (length > end - position) {
            throw new IllegalArgumentException("request record " + field + " runs past the record end");
        }
        return position + (int) length;
    }

    private static InetSocketAddress address(ByteBuf record, int offset) {
        int family = record.getUnsignedShortLE(offset);
        int port = record.getUnsignedShortLE(offset + 2);
        byte[] bytes;
        if (family == 4) {
            bytes = new byte[4];
        } else if (family == 6) {
            bytes = new byte[16];
        } else {
            return null;
        }
        record.getBytes(offset + 4, bytes);
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("request record address of wrong length", e);
        }
    }
}
