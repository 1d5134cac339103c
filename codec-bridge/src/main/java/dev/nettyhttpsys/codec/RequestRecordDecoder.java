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

import java.net.InetSocketAddress;

/**
 * Reads a request record (records.h: {@code RequestRecordHeader}, 88 bytes little-endian, then
 * method, URL as sent, the canonical URL when it differs, headers, the first body bytes and, for TLS
 * requests, the TlsRecord) into a Netty {@link io.netty.handler.codec.http.HttpRequest} whose
 * {@code uri()} is the canonical target the request was routed on.
 *
 * <p>The engine has validated the request, so Netty's header validation is off. Text is decoded
 * as ISO-8859-1, as Netty's {@code HttpRequestDecoder} does, so both transports see the same
 * strings. The record is only read (its indices do not move); nothing refers to it afterwards,
 * since native record memory is reused soon.
 */
public final class RequestRecordDecoder {
    /** sizeof(RequestRecordHeader). */
    public static final int HEADER_SIZE = 88;

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);

    private RequestRecordDecoder() {
    }

    /**
     * Decodes the record starting at the buffer's reader index.
     *
     * @param alloc allocates the copy of the initial body bytes
     * @throws IllegalArgumentException naming the field when a length runs past the record
     */
    public static DecodedRequest decode(ByteBuf record, ByteBufAllocator alloc) {
        return decode(record, alloc, true);
    }

    /**
     * As {@link #decode(ByteBuf, ByteBufAllocator)}; without addresses (null in the result) when
     * the caller knows them already, e.g. from the connection's first request.
     */
    public static DecodedRequest decode(ByteBuf record, ByteBufAllocator alloc, boolean addresses) {
        int base = record.readerIndex();
        int available = record.readableBytes();
        if (available < HEADER_SIZE) {
            throw new IllegalArgumentException("request record shorter than its 88-byte header: " + available
                    + " bytes");
        }
        long recordLength = record.getUnsignedIntLE(base);
        if (recordLength < HEADER_SIZE || recordLength > available) {
            throw new IllegalArgumentException("request record recordLength " + recordLength + " outside 88.."
                    + available);
        }
        int flags = record.getIntLE(base + RecordLayout.REQUEST_FLAGS);
        long requestId = record.getLongLE(base + RecordLayout.REQUEST_ID);
        long connectionId = record.getLongLE(base + RecordLayout.REQUEST_CONNECTION_ID);
        int major = record.getUnsignedShortLE(base + RecordLayout.REQUEST_HTTP_MAJOR);
        int minor = record.getUnsignedShortLE(base + RecordLayout.REQUEST_HTTP_MINOR);
        int headerCount = record.getUnsignedShortLE(base + RecordLayout.REQUEST_HEADER_COUNT);
        int methodLength = record.getUnsignedShortLE(base + RecordLayout.REQUEST_METHOD_LENGTH);
        long urlLength = record.getUnsignedIntLE(base + RecordLayout.REQUEST_URL_LENGTH);
        long bodyLength = record.getUnsignedIntLE(base + RecordLayout.REQUEST_BODY_LENGTH);
        long tlsOffset = record.getUnsignedIntLE(base + RecordLayout.REQUEST_TLS_OFFSET);
        InetSocketAddress remote = addresses ? SocketAddressDecoder.decode(record, base + RecordLayout.REQUEST_REMOTE, "remote") : null;
        InetSocketAddress local = addresses ? SocketAddressDecoder.decodeCached(record, base + RecordLayout.REQUEST_LOCAL, "local") : null;

        int end = base + (int) recordLength;
        RecordCursor cursor = new RecordCursor(record, base + HEADER_SIZE, end, "request record");
        RecordText text = RecordText.of(record, base, end, bodyLength, tlsOffset);
        int methodStart = cursor.take(methodLength, "method", -1);
        int urlStart = cursor.take(urlLength, "url", -1);
        long cookedLength = record.getUnsignedIntLE(base + RecordLayout.REQUEST_COOKED_URL_LENGTH);
        int cookedStart = cursor.take(cookedLength, "cooked url", -1);
        HttpMethod method = KnownMethods.decode(record, methodStart, methodLength);
        String rawUri = text.string(urlStart, (int) urlLength);
        // The handler sees the target the engine routed on (its path canonical), so a handler that
        // normalizes or decodes the URI lands where the request was routed.
        String uri = cookedLength == 0 ? rawUri : text.string(cookedStart, (int) cookedLength);
        // HTTP/2 (flag 4, major 2) is presented as HTTP/1.1, which is what Netty handlers expect.
        HttpVersion version = major == 1 && minor == 0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;

        HttpHeaders headers = HEADERS.newHeaders();
        for (int i = 0; i < headerCount; i++) {
            int entry = cursor.takeEntry("header entry", i);
            int id = cursor.entryId(entry);
            int nameLength = cursor.entryNameLength(entry);
            long valueLength = cursor.entryValueLength(entry);
            CharSequence name;
            if (id == KnownHeaders.UNKNOWN) {
                int nameStart = cursor.take(nameLength, "header name", i);
                if (nameLength == 0) {
                    throw new IllegalArgumentException("request record header name " + i + " is empty");
                }
                name = text.asciiString(nameStart, nameLength);
            } else if (id < KnownHeaders.REQUEST_HEADER_COUNT) {
                if (nameLength != 0) {
                    throw new IllegalArgumentException("request record header " + i
                            + " has both a known id and a name");
                }
                name = KnownHeaders.requestName(id);
            } else {
                throw new IllegalArgumentException("request record header " + i + " has unknown id " + id);
            }
            int valueStart = cursor.take(valueLength, "header value", i);
            headers.add(name, text.string(valueStart, (int) valueLength));
        }
        int bodyStart = cursor.take(bodyLength, "body", -1);
        // The TLS block is checked before the body is copied, so a malformed record allocates nothing.
        TlsFacts tls = null;
        if (tlsOffset != 0) {
            if (tlsOffset < bodyStart + bodyLength - base) {
                throw new IllegalArgumentException("request record tlsOffset " + tlsOffset
                        + " points inside the request head or body");
            }
            tls = TlsRecordDecoder.decode(record, base + (int) tlsOffset, end);
        }
        ByteBuf body = bodyLength == 0 ? Unpooled.EMPTY_BUFFER
                : alloc.buffer((int) bodyLength).writeBytes(record, bodyStart, (int) bodyLength);
        DefaultHttpRequest request = new DefaultHttpRequest(version, method, uri, headers);
        return new DecodedRequest(request, rawUri, body, requestId, connectionId, flags, remote, local, tls);
    }

    /**
     * The connection id of the record at the buffer's reader index, read before decoding (the
     * caller picks the connection's channel with it); throws when the record is too short.
     */
    public static long connectionId(ByteBuf record) {
        if (record.readableBytes() < HEADER_SIZE) {
            throw new IllegalArgumentException("request record shorter than its 88-byte header: "
                    + record.readableBytes() + " bytes");
        }
        return record.getLongLE(record.readerIndex() + RecordLayout.REQUEST_CONNECTION_ID);
    }
}
