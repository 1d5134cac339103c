package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;

/** A request record turned into Netty objects, plus the engine's facts about the request. */
public final class DecodedRequest {
    /** kRequestMoreBody: more entity body follows the initial bytes; read it from the engine. */
    public static final int FLAG_MORE_BODY = 1;
    /** kRequestSecure: the request arrived over TLS. */
    public static final int FLAG_SECURE = 2;
    /** kRequestHttp2: the request arrived over HTTP/2 (presented as HTTP/1.1). */
    public static final int FLAG_HTTP2 = 4;

    private final HttpRequest request;
    private final ByteBuf initialBody;
    private final long requestId;
    private final long connectionId;
    private final int flags;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final TlsFacts tls;

    DecodedRequest(HttpRequest request, ByteBuf initialBody, long requestId, long connectionId, int flags,
                   InetSocketAddress remoteAddress, InetSocketAddress localAddress, TlsFacts tls) {
        this.request = request;
        this.initialBody = initialBody;
        this.requestId = requestId;
        this.connectionId = connectionId;
        this.flags = flags;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
        this.tls = tls;
    }

    /** A {@code DefaultHttpRequest} with the raw target as its URI; HTTP/2 appears as HTTP/1.1. */
    public HttpRequest request() {
        return request;
    }

    /** The body bytes that arrived with the head, copied out of native memory; the caller owns it. */
    public ByteBuf initialBody() {
        return initialBody;
    }

    public long requestId() {
        return requestId;
    }

    public long connectionId() {
        return connectionId;
    }

    public int flags() {
        return flags;
    }

    /** More body follows the initial bytes and must be read from the engine. */
    public boolean hasMoreBody() {
        return (flags & FLAG_MORE_BODY) != 0;
    }

    public boolean isSecure() {
        return (flags & FLAG_SECURE) != 0;
    }

    public boolean isHttp2() {
        return (flags & FLAG_HTTP2) != 0;
    }

    /** The client's address; null when the engine did not know it, or when decoded without addresses. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The TLS connection's facts; null for plain HTTP. */
    public TlsFacts tls() {
        return tls;
    }
}
