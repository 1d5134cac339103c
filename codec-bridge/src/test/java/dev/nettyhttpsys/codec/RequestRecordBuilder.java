package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Builds request records as the native backends do (records.h, hsys::RequestRecordWriter), for
 * decoder tests. Fields can be overridden afterwards to make malformed records.
 */
final class RequestRecordBuilder {
    private final ByteBuf out = scratch();
    private int flags;
    private long requestId = 1;
    private long connectionId = 2;
    private int major = 1;
    private int minor = 1;
    private InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 50000);
    private InetSocketAddress local = new InetSocketAddress("127.0.0.1", 8080);
    private String method = "GET";
    private String url = "/";
    private String cookedUrl = "";
    private final ByteBuf headers = scratch();
    private int headerCount;
    private byte[] body = new byte[0];
    private ByteBuf tls;

    /** A heap buffer outside leak tracking (it needs no release): room for any test record. */
    static ByteBuf scratch() {
        return Unpooled.wrappedBuffer(new byte[16 * 1024]).clear();
    }

    RequestRecordBuilder method(String value) {
        method = value;
        return this;
    }

    RequestRecordBuilder url(String value) {
        url = value;
        return this;
    }

    /** The target with its path canonical, as the engine routed it ("" = the url is canonical). */
    RequestRecordBuilder cookedUrl(String value) {
        cookedUrl = value;
        return this;
    }

    RequestRecordBuilder version(int httpMajor, int httpMinor) {
        major = httpMajor;
        minor = httpMinor;
        return this;
    }

    RequestRecordBuilder flags(int value) {
        flags = value;
        return this;
    }

    RequestRecordBuilder ids(long request, long connection) {
        requestId = request;
        connectionId = connection;
        return this;
    }

    RequestRecordBuilder remote(InetSocketAddress address) {
        remote = address;
        return this;
    }

    RequestRecordBuilder local(InetSocketAddress address) {
        local = address;
        return this;
    }

    RequestRecordBuilder knownHeader(int id, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        headers.writeByte(id).writeByte(0).writeShortLE(0).writeIntLE(bytes.length).writeBytes(bytes);
        headerCount++;
        return this;
    }

    RequestRecordBuilder header(String name, String value) {
        byte[] nameBytes = name.getBytes(StandardCharsets.ISO_8859_1);
        byte[] valueBytes = value.getBytes(StandardCharsets.ISO_8859_1);
        headers.writeByte(KnownHeaders.UNKNOWN).writeByte(0).writeShortLE(nameBytes.length)
                .writeIntLE(valueBytes.length).writeBytes(nameBytes).writeBytes(valueBytes);
        headerCount++;
        return this;
    }

    /** Appends raw header bytes (an entry written by hand), counted as one header. */
    RequestRecordBuilder rawHeader(byte[] entryAndBytes) {
        headers.writeBytes(entryAndBytes);
        headerCount++;
        return this;
    }

    RequestRecordBuilder body(String value) {
        body = value.getBytes(StandardCharsets.ISO_8859_1);
        return this;
    }

    /** Appends a TlsRecord (records.h) with these fields and certificate bytes after the body. */
    RequestRecordBuilder tls(int flags, int protocol, int cipher, int cipherStrength, int certStatus, byte[] cert) {
        tls = scratch();
        tls.writeIntLE(flags).writeIntLE(protocol).writeIntLE(cipher).writeIntLE(cipherStrength)
                .writeIntLE(0x800c).writeIntLE(256).writeIntLE(0xae06).writeIntLE(384)
                .writeShortLE(256).writeShortLE(2048).writeIntLE(certStatus).writeIntLE(cert.length).writeIntLE(0)
                .writeBytes(cert);
        return this;
    }

    /** The finished record in a heap buffer, reader index at its start. */
    ByteBuf build() {
        byte[] methodBytes = method.getBytes(StandardCharsets.ISO_8859_1);
        byte[] urlBytes = url.getBytes(StandardCharsets.ISO_8859_1);
        byte[] cookedBytes = cookedUrl.getBytes(StandardCharsets.ISO_8859_1);
        out.clear();
        out.writeIntLE(0).writeIntLE(flags).writeLongLE(requestId).writeLongLE(connectionId)
                .writeShortLE(major).writeShortLE(minor).writeShortLE(headerCount).writeShortLE(methodBytes.length)
                .writeIntLE(urlBytes.length).writeIntLE(body.length);
        writeAddress(remote);
        writeAddress(local);
        out.writeIntLE(0).writeIntLE(cookedBytes.length);
        out.writeBytes(methodBytes).writeBytes(urlBytes).writeBytes(cookedBytes)
                .writeBytes(headers, 0, headers.writerIndex())
                .writeBytes(body);
        if (tls != null) {
            out.setIntLE(80, out.writerIndex());
            out.writeBytes(tls, 0, tls.writerIndex());
        }
        out.setIntLE(0, out.writerIndex());
        return out;
    }

    private void writeAddress(InetSocketAddress address) {
        if (address == null) {
            out.writeZero(SocketAddressDecoder.SIZE);
            return;
        }
        byte[] bytes = address.getAddress().getAddress();
        out.writeShortLE(bytes.length == 4 ? 4 : 6).writeShortLE(address.getPort()).writeBytes(bytes)
                .writeZero(16 - bytes.length);
    }
}
