package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns what a Netty HTTP handler writes for one request into engine response records
 * (records.h {@code ResponseRecordHeader}); one instance per request. Accepted, in order: a
 * {@code FullHttpResponse}; or an {@code HttpResponse}, then {@code HttpContent}s or
 * {@code ByteBuf}s, ending with a {@code LastHttpContent}; after a 101, raw {@code ByteBuf}s.
 *
 * <p>HTTP framing is decided here, because HTTP.SYS leaves it to the sender (the engine only adds
 * {@code Date}, and {@code Connection: close} when it closes):
 * <ul>
 *   <li>a whole response without Content-Length or Transfer-Encoding gets Content-Length;</li>
 *   <li>a streamed HTTP/1.1 response without Content-Length gets {@code Transfer-Encoding: chunked}
 *       and is chunk-framed here (so is any response whose handler chose chunked itself);</li>
 *   <li>a streamed HTTP/1.0 response without Content-Length is close-delimited (disconnect flag);</li>
 *   <li>HTTP/2 gets no Transfer-Encoding or other connection-specific header, and no framing;</li>
 *   <li>1xx, 204 and 304 carry no body and get no Content-Length; HEAD responses keep the
 *       handler's headers untouched (as {@code HttpServerCodec} does) and drop body bytes;</li>
 *   <li>interim responses (100, 102, 103) produce nothing: the engine answers
 *       {@code Expect: 100-continue} itself, and the final response must follow;</li>
 *   <li>a response that is not keep-alive by Netty's rules ({@code Connection: close}, or an
 *       HTTP/1.0 response without {@code keep-alive}) sets the disconnect flag on the last send; a 101 sets the
 *       opaque flag, after which bytes pass through unframed.</li>
 * </ul>
 * Output caching: see {@link HttpSysCache}.
 *
 * <p>{@link #encode} always consumes (releases) the message it is given.
 */
public final class ResponseRecordEncoder {
    /** kResponseHasHead: status, reason and headers are present. */
    public static final int FLAG_HAS_HEAD = 1;
    /** kResponseMoreData: more sends follow for this response. */
    public static final int FLAG_MORE_DATA = 2;
    /** kResponseDisconnect: close the connection once this send is done. */
    public static final int FLAG_DISCONNECT = 4;
    /** kResponseOpaque: the connection carries opaque bytes after this send. */
    public static final int FLAG_OPAQUE = 8;
    /** kResponseBufferData: the kernel may buffer the data (HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA). */
    public static final int FLAG_BUFFER_DATA = 16;
    /** kResponseEnableNagling: Nagle's algorithm on for this send. */
    public static final int FLAG_ENABLE_NAGLING = 32;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};
    private static final long MAX_TTL_SECONDS = 0xFFFFFFFFL;

    private enum State { HEAD, BODY, OPAQUE, DONE }

    private enum Framing { NO_BODY, IDENTITY, CHUNKED }

    private final boolean headRequest;
    private final boolean getRequest;
    private final boolean http11;
    private final boolean http2;
    private final long defaultCacheTtlSeconds;
    private final FileRegionHandles fileHandles;
    private State state = State.HEAD;
    private Framing framing;
    private boolean disconnectAtEnd;
    private int sendFlags;

    /**
     * @param requestMethod          the request's method (HEAD drops bodies; only GET is cached)
     * @param requestVersion         the request's version (HTTP/1.0 cannot take chunked framing)
     * @param http2                  the request arrived over HTTP/2
     * @param defaultCacheTtlSeconds the server's output-cache time-to-live; 0 = off
     */
    public ResponseRecordEncoder(HttpMethod requestMethod, HttpVersion requestVersion, boolean http2,
                                 long defaultCacheTtlSeconds) {
        this(requestMethod, requestVersion, http2, defaultCacheTtlSeconds, FileRegionHandles.NONE);
    }

    /**
     * As above; {@code fileHandles} finds the file behind a {@link FileRegion} so the engine sends
     * it without copying (regions it finds no handle for are read into memory).
     */
    public ResponseRecordEncoder(HttpMethod requestMethod, HttpVersion requestVersion, boolean http2,
                                 long defaultCacheTtlSeconds, FileRegionHandles fileHandles) {
        this.fileHandles = fileHandles;
        this.headRequest = HttpMethod.HEAD.equals(requestMethod);
        this.getRequest = HttpMethod.GET.equals(requestMethod);
        this.http11 = requestVersion.isKeepAliveDefault();
        this.http2 = http2;
        this.defaultCacheTtlSeconds = defaultCacheTtlSeconds;
    }

    /**
     * Transport flags added to every send of this response: {@link #FLAG_BUFFER_DATA} and
     * {@link #FLAG_ENABLE_NAGLING}; other bits are ignored (framing flags are decided here).
     */
    public void setSendFlags(int flags) {
        sendFlags = flags & (FLAG_BUFFER_DATA | FLAG_ENABLE_NAGLING);
    }

    /** True once the last part of the response was encoded. */
    public boolean isComplete() {
        return state == State.DONE;
    }

    /** True after a 101 response: further writes are opaque bytes. */
    public boolean isOpaque() {
        return state == State.OPAQUE;
    }

    /**
     * Encodes one outbound message and releases it. Returns null when there is nothing to send:
     * an interim 1xx response, or a non-final content without bytes (or without a body to carry
     * them, as for HEAD).
     *
     * @throws IllegalStateException         content before the head, a second head, or anything
     *                                       after the response is complete
     * @throws IllegalArgumentException      a message type an HTTP response cannot carry
     * @throws UncheckedIOException         a {@link FileRegion} whose file cannot be opened or read
     */
    public EncodedSend encode(Object msg, ByteBufAllocator alloc) {
        EncodedSend send = null;
        try {
            send = dispatch(msg, alloc);
        } finally {
            try {
                ReferenceCountUtil.release(msg);
            } catch (RuntimeException e) {
                if (send != null) {
                    send.release();
                }
                throw e;
            }
        }
        return send;
    }

    private EncodedSend dispatch(Object msg, ByteBufAllocator alloc) {
        if (msg instanceof FileRegion) {
            if (state == State.BODY) {
                return encodeFile((FileRegion) msg, alloc);
            }
            if (state == State.OPAQUE) {
                return encodeOpaque(FileRegionCopier.copy((FileRegion) msg, alloc), alloc);
            }
            throw new IllegalStateException(state == State.HEAD
                    ? "FileRegion written before the response head (an HttpResponse)"
                    : "the response is already complete; cannot write a FileRegion");
        }
        if (msg instanceof HttpMessage && !(msg instanceof HttpResponse)) {
            throw new IllegalArgumentException("cannot send " + msg.getClass().getName() + " as a response");
        }
        boolean head = msg instanceof HttpResponse;
        boolean content = msg instanceof HttpContent || msg instanceof ByteBuf;
        if (!head && !content && (msg instanceof HttpObject || !(msg instanceof ByteBufHolder))) {
            throw new IllegalArgumentException("cannot send " + (msg == null ? "null" : msg.getClass().getName())
                    + " as part of an HTTP response");
        }
        switch (state) {
            case HEAD:
                if (head) {
                    return encodeHead((HttpResponse) msg, alloc);
                }
                throw new IllegalStateException(msg.getClass().getSimpleName()
                        + " written before the response head (an HttpResponse)");
            case BODY:
                if (head) {
                    throw new IllegalStateException("a second response head for one request: "
                            + msg.getClass().getSimpleName());
                }
                if (msg instanceof HttpContent) {
                    HttpContent httpContent = (HttpContent) msg;
                    return httpContent instanceof LastHttpContent
                            ? encodeBody(httpContent.content(), true,
                                    ((LastHttpContent) httpContent).trailingHeaders(), alloc)
                            : encodeBody(httpContent.content(), false, null, alloc);
                }
                if (msg instanceof ByteBuf) {
                    return encodeBody((ByteBuf) msg, false, null, alloc);
                }
                throw new IllegalArgumentException("cannot send " + msg.getClass().getName()
                        + " in an HTTP response body; write HttpContent or ByteBuf");
            case OPAQUE:
                if (head) {
                    throw new IllegalStateException("a response head after 101 Switching Protocols: "
                            + msg.getClass().getSimpleName());
                }
                return encodeOpaque(msg instanceof ByteBuf ? (ByteBuf) msg : ((ByteBufHolder) msg).content(),
                        alloc);
            default:
                throw new IllegalStateException("the response is already complete; cannot write "
                        + msg.getClass().getSimpleName());
        }
    }

    private EncodedSend encodeHead(HttpResponse response, ByteBufAllocator alloc) {
        int status = response.status().code();
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("response status " + status + " outside 100-999");
        }
        if (status < 200 && status != 101) {
            return null;
        }
        HttpHeaders headers = response.headers();
        boolean full = response instanceof FullHttpResponse;
        ByteBuf body = full ? ((FullHttpResponse) response).content() : null;
        boolean upgrade = status == 101;
        long cacheTtl = cacheTtl(headers, status, full);

        long addContentLength = -1;
        boolean addChunked = false;
        disconnectAtEnd = false;  // a head that failed to encode may be followed by another
        if (upgrade) {
            framing = Framing.IDENTITY;  // bytes after the head pass through as they are
        } else if (headRequest || status == 204 || status == 304) {
            framing = Framing.NO_BODY;
        } else if (!http2 && HttpUtil.isTransferEncodingChunked(response)) {
            framing = Framing.CHUNKED;
        } else if (full) {
            framing = Framing.IDENTITY;
            if (!headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                addContentLength = body.readableBytes();
            }
        } else if (http2 || headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            framing = Framing.IDENTITY;
        } else if (http11) {
            framing = Framing.CHUNKED;
            addChunked = true;
        } else {
            framing = Framing.IDENTITY;
            disconnectAtEnd = true;  // HTTP/1.0 without a length: closing the connection ends the body
        }
        // The pipeline's keep-alive decision, read as Netty reads it: Connection: close, or an
        // HTTP/1.0 response without keep-alive (HttpServerKeepAliveHandler says "close" that way).
        if (!http2 && !upgrade && !HttpUtil.isKeepAlive(response)) {
            disconnectAtEnd = true;
        }

        int copied = body == null || DirectAddresses.isAddressable(body) ? 0 : body.readableBytes();
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 192 + headers.size() * 48 + copied);
        try {
            int flags = FLAG_HAS_HEAD;
            boolean last = false;
            State next;
            if (upgrade) {
                next = State.OPAQUE;
                flags |= FLAG_OPAQUE | FLAG_MORE_DATA;
                if (body != null) {
                    writer.body(body);
                }
            } else if (full) {
                addBody(writer, body, true, ((FullHttpResponse) response).trailingHeaders());
                next = State.DONE;
                last = true;
                flags |= disconnectAtEnd ? FLAG_DISCONNECT : 0;
            } else {
                next = State.BODY;
                flags |= FLAG_MORE_DATA;
            }
            writer.reason(response.status().reasonPhrase());
            writeHeaders(writer, headers);
            if (addContentLength >= 0) {
                writer.header(KnownHeaders.CONTENT_LENGTH, null, addContentLength);
            }
            if (addChunked) {
                writer.header(KnownHeaders.TRANSFER_ENCODING, null, HttpHeaderValues.CHUNKED);
            }
            EncodedSend send = writer.finish(flags | sendFlags, status, last ? cacheTtl : 0, last);
            state = next;
            return send;
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
    }

    private void writeHeaders(ResponseRecordWriter writer, HttpHeaders headers) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            int id = KnownHeaders.responseHeaderId(name);
            if (id < 0 ? HttpSysCache.TTL_HEADER.contentEqualsIgnoreCase(name) : http2 && isConnectionSpecific(id)) {
                continue;
            }
            writer.header(id, name, header.getValue());
        }
    }

    /** Headers HTTP/2 forbids (RFC 9113 section 8.2.2); HTTP.SYS frames HTTP/2 itself. */
    private static boolean isConnectionSpecific(int id) {
        return id == KnownHeaders.CONNECTION || id == KnownHeaders.KEEP_ALIVE
                || id == KnownHeaders.TRANSFER_ENCODING || id == KnownHeaders.UPGRADE;
    }

    private EncodedSend encodeBody(ByteBuf content, boolean last, HttpHeaders trailers, ByteBufAllocator alloc) {
        if (!last && (framing == Framing.NO_BODY || !content.isReadable())) {
            return null;
        }
        int copied = DirectAddresses.isAddressable(content) ? 0 : content.readableBytes();
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 128 + copied);
        try {
            addBody(writer, content, last, trailers);
            int flags = last ? (disconnectAtEnd ? FLAG_DISCONNECT : 0) : FLAG_MORE_DATA;
            EncodedSend send = writer.finish(flags | sendFlags, 0, 0, last);
            if (last) {
                state = State.DONE;
            }
            return send;
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
    }

    /**
     * A file body part (never the last part: Netty ends a response with a LastHttpContent). Sent
     * by handle when the transport finds one, the region pinned until the send completes;
     * otherwise its bytes are copied.
     */
    private EncodedSend encodeFile(FileRegion region, ByteBufAllocator alloc) {
        long remaining = region.count() - region.transferred();
        if (framing == Framing.NO_BODY || remaining <= 0) {
            return null;
        }
        long handle = fileHandles.handleOf(region);
        if (handle < 0) {
            ByteBuf copy = FileRegionCopier.copy(region, alloc);
            try {
                return encodeBody(copy, false, null, alloc);
            } finally {
                copy.release();
            }
        }
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 128);
        try {
            if (framing == Framing.CHUNKED) {
                writer.chunkSizeLine(remaining);
                writer.file(region, handle, region.position() + region.transferred(), remaining);
                writer.framing(CRLF);
            } else {
                writer.file(region, handle, region.position() + region.transferred(), remaining);
            }
            return writer.finish(FLAG_MORE_DATA | sendFlags, 0, 0, false);
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
    }

    /**
     * Ends an opaque stream (after a 101) the way closing a socket does: an empty send with the
     * disconnect flag, so the engine closes the connection gracefully after the bytes before it.
     *
     * @throws IllegalStateException when the response is not in opaque mode
     */
    public EncodedSend encodeOpaqueEnd(ByteBufAllocator alloc) {
        if (state != State.OPAQUE) {
            throw new IllegalStateException("only an opaque stream (after 101 Switching Protocols) is ended this way");
        }
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 64);
        EncodedSend send = writer.finish(FLAG_DISCONNECT | sendFlags, 0, 0, true);
        state = State.DONE;
        return send;
    }

    private EncodedSend encodeOpaque(ByteBuf bytes, ByteBufAllocator alloc) {
        if (!bytes.isReadable()) {
            return null;
        }
        int copied = DirectAddresses.isAddressable(bytes) ? 0 : bytes.readableBytes();
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 64 + copied);
        try {
            writer.body(bytes);
            return writer.finish(FLAG_MORE_DATA | sendFlags, 0, 0, false);
        } catch (RuntimeException | Error e) {
            writer.abort();
            throw e;
        }
    }

    /** Adds body bytes as chunks, framed as the response's framing requires. */
    private void addBody(ResponseRecordWriter writer, ByteBuf content, boolean last, HttpHeaders trailers) {
        switch (framing) {
            case NO_BODY:
                return;
            case IDENTITY:
                writer.body(content);  // trailers need chunked framing; without it they are dropped
                return;
            default:
                int size = content.readableBytes();
                if (size > 0) {
                    writer.chunkSizeLine(size);
                    writer.body(content);
                    writer.framing(CRLF);
                }
                if (last) {
                    writer.framing(LAST_CHUNK);
                    if (trailers != null) {
                        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
                             it.hasNext();) {
                            Map.Entry<CharSequence, CharSequence> trailer = it.next();
                            writer.trailerLine(trailer.getKey(), trailer.getValue());
                        }
                    }
                    writer.framing(CRLF);
                }
        }
    }

    /**
     * The record's cacheTtlSeconds: the override or the default, for whole 200 responses to GET
     * only, and never for a response that sets a cookie or varies by request headers (the cache
     * is keyed by URL alone, so it would hand one client's cookie or encoding to everyone).
     */
    private long cacheTtl(HttpHeaders headers, int status, boolean full) {
        String override = headers.get(HttpSysCache.TTL_HEADER);
        long ttl = override == null ? defaultCacheTtlSeconds : HttpSysCache.parseTtl(override);
        boolean eligible = full && getRequest && status == 200 && ttl > 0
                && !headers.contains(HttpHeaderNames.SET_COOKIE) && !headers.contains(HttpHeaderNames.VARY);
        return eligible ? Math.min(ttl, MAX_TTL_SECONDS) : 0;
    }
}
