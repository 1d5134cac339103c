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
import io.netty.util.AsciiString;
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
 * <p>The framing is decided here and written by the engine ({@link #FLAG_CHUNKED}, one
 * Content-Length field), never carried as the handler wrote it; the engine also adds
 * {@code Date}, and {@code Connection: close} when it closes:
 * <ul>
 *   <li>a whole response gets the Content-Length of its body; a Content-Length that disagrees
 *       with it is refused;</li>
 *   <li>a streamed HTTP/1.1 response without Content-Length is chunked by the engine (so is any
 *       response whose handler chose chunked itself), its trailers go to the engine as fields;</li>
 *   <li>a streamed response with Content-Length must write exactly that many bytes: a part that
 *       runs past it, or a last part that ends short, is refused;</li>
 *   <li>a streamed HTTP/1.0 response without Content-Length is close-delimited (disconnect flag):
 *       an HTTP/1.0 client never gets chunked framing, the handler's chunked included;</li>
 *   <li>HTTP/2 gets no Transfer-Encoding or other connection-specific header, and no framing;</li>
 *   <li>1xx, 204 and 205 carry no body and no Content-Length (205: {@code Content-Length: 0});
 *       304 and HEAD responses keep the handler's Content-Length and drop body bytes;</li>
 *   <li>the handler's framing fields are read strictly: a Content-Length that is not a number,
 *       several that differ, one beside {@code Transfer-Encoding: chunked}, or a transfer coding
 *       other than chunked fail the write ({@link IllegalArgumentException}, naming the field);
 *       so do a status outside 100-599, a field name that is not a token and a control
 *       character (CR, LF, NUL...) in a field value, a trailer or the reason phrase;</li>
 *   <li>interim responses (100, 102, 103) produce nothing: the engine answers
 *       {@code Expect: 100-continue} itself, and the final response must follow;</li>
 *   <li>a response that is not keep-alive by Netty's rules ({@code Connection: close}, or an
 *       HTTP/1.0 response without {@code keep-alive}) sets the disconnect flag on the last send; a 101 sets the
 *       opaque flag, after which bytes pass through unframed.</li>
 * </ul>
 * Output caching: see {@link HttpSysCache}.
 *
 * <p>Several messages of one flush may go to the engine as one send (one record with the head,
 * the data chunks of every part, memory and file mixed, and the trailers): {@link #append} them in
 * order, then {@link #finishSend}. {@link #encode} is the one-message case. Both always consume
 * (release) the message they are given.
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
    /** kResponseChunked: the engine chunk-frames this response (every send of it carries the flag). */
    public static final int FLAG_CHUNKED = 64;

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
    private int framingFlags;  // FLAG_CHUNKED on every send of a chunked response
    private long declaredLength = -1;  // a streamed body must be exactly this long
    private long bodyWritten;
    private boolean disconnectAtEnd;
    private int sendFlags;

    // The send being built from appended messages; null while nothing is waiting to go.
    private ResponseRecordWriter building;
    private int buildingFlags;  // FLAG_HAS_HEAD and FLAG_OPAQUE of the parts appended
    private int buildingStatus;
    private long buildingCacheTtl;
    private boolean buildingLast;

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
     * Encodes one outbound message as a send of its own and releases it: {@link #append} then
     * {@link #finishSend}, with the same exceptions. Returns null when there is nothing to send.
     */
    public EncodedSend encode(Object msg, ByteBufAllocator alloc) {
        append(msg, alloc);
        return finishSend();
    }

    /**
     * Adds one outbound message to the send being built and releases it. Adds nothing for an
     * interim 1xx response, or a non-final content without bytes (or without a body to carry them,
     * as for HEAD). When it throws, the send being built holds exactly the messages appended before.
     *
     * @throws IllegalStateException         content before the head, a second head, or anything
     *                                       after the response is complete
     * @throws IllegalArgumentException      a message type an HTTP response cannot carry
     * @throws UncheckedIOException         a {@link FileRegion} whose file cannot be opened or read
     */
    public void append(Object msg, ByteBufAllocator alloc) {
        try {
            dispatch(msg, alloc);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * True when the send being built must go to the engine before anything else is appended: it
     * completes the response, or switches protocols (opaque reads start when the engine sent it).
     */
    public boolean mustFinishSend() {
        return buildingLast || (buildingFlags & FLAG_OPAQUE) != 0;
    }

    /** The send holding everything appended since the last one; null when nothing was added. */
    public EncodedSend finishSend() {
        ResponseRecordWriter writer = building;
        if (writer == null) {
            return null;
        }
        building = null;
        int flags = buildingFlags | framingFlags | sendFlags
                | (buildingLast ? (disconnectAtEnd ? FLAG_DISCONNECT : 0) : FLAG_MORE_DATA);
        EncodedSend send = writer.finish(flags, buildingStatus, buildingLast ? buildingCacheTtl : 0, buildingLast);
        buildingFlags = 0;
        buildingStatus = 0;
        buildingCacheTtl = 0;
        buildingLast = false;
        return send;
    }

    /** The writer of the send being built, created on the first part that adds something. */
    private ResponseRecordWriter writer(ByteBufAllocator alloc, int initialCapacity) {
        if (building == null) {
            building = new ResponseRecordWriter(alloc, initialCapacity);
        }
        return building;
    }

    private void dispatch(Object msg, ByteBufAllocator alloc) {
        if (msg instanceof FileRegion) {
            if (state == State.BODY) {
                encodeFile((FileRegion) msg, alloc);
                return;
            }
            if (state == State.OPAQUE) {
                ByteBuf copy = FileRegionCopier.copy((FileRegion) msg, alloc);
                try {
                    encodeOpaque(copy, alloc);
                } finally {
                    copy.release();
                }
                return;
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
                    encodeHead((HttpResponse) msg, alloc);
                    return;
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
                    if (httpContent instanceof LastHttpContent) {
                        encodeBody(httpContent.content(), true, ((LastHttpContent) httpContent).trailingHeaders(),
                                alloc);
                    } else {
                        encodeBody(httpContent.content(), false, null, alloc);
                    }
                    return;
                }
                if (msg instanceof ByteBuf) {
                    encodeBody((ByteBuf) msg, false, null, alloc);
                    return;
                }
                throw new IllegalArgumentException("cannot send " + msg.getClass().getName()
                        + " in an HTTP response body; write HttpContent or ByteBuf");
            case OPAQUE:
                if (head) {
                    throw new IllegalStateException("a response head after 101 Switching Protocols: "
                            + msg.getClass().getSimpleName());
                }
                encodeOpaque(msg instanceof ByteBuf ? (ByteBuf) msg : ((ByteBufHolder) msg).content(), alloc);
                return;
            default:
                throw new IllegalStateException("the response is already complete; cannot write "
                        + msg.getClass().getSimpleName());
        }
    }

    private void encodeHead(HttpResponse response, ByteBufAllocator alloc) {
        int status = response.status().code();
        check(ResponseFieldRules.checkStatus(status));
        if (status < 200 && status != 101) {
            return;
        }
        check(ResponseFieldRules.checkReason(response.status().reasonPhrase()));
        HttpHeaders headers = response.headers();
        boolean full = response instanceof FullHttpResponse;
        ByteBuf body = full ? ((FullHttpResponse) response).content() : null;
        boolean upgrade = status == 101;
        long lengthField = writtenContentLength(headers, status, full ? body.readableBytes() : -1);
        long cacheTtl = cacheTtl(headers, status, full && framing != Framing.CHUNKED);
        // The pipeline's keep-alive decision, read as Netty reads it: Connection: close, or an
        // HTTP/1.0 response without keep-alive (HttpServerKeepAliveHandler says "close" that way).
        if (!http2 && !upgrade && !HttpUtil.isKeepAlive(response)) {
            disconnectAtEnd = true;
        }

        HttpHeaders trailers = full ? ((FullHttpResponse) response).trailingHeaders() : null;
        checkTrailers(trailers);
        // A head starts its response, so the send being built holds nothing before it.
        int copied = body == null || DirectAddresses.isAddressable(body) ? 0 : body.readableBytes();
        ResponseRecordWriter writer = writer(alloc, 192 + headers.size() * 48 + copied);
        try {
            if (upgrade && body != null) {
                writer.body(body);
            } else if (full) {
                addBody(writer, body);
            }
            writer.reason(response.status().reasonPhrase());
            writeHeaders(writer, headers);
            if (lengthField >= 0) {
                writer.header(KnownHeaders.CONTENT_LENGTH, null, lengthField);
            }
            writeTrailers(writer, trailers);
        } catch (RuntimeException | Error e) {
            building = null;
            writer.abort();
            throw e;
        }
        buildingFlags |= FLAG_HAS_HEAD | (upgrade ? FLAG_OPAQUE : 0);
        buildingStatus = status;
        if (upgrade) {
            state = State.OPAQUE;
        } else if (full) {
            buildingLast = true;
            buildingCacheTtl = cacheTtl;
            state = State.DONE;
        } else {
            state = State.BODY;
        }
    }

    /**
     * Decides the framing (framing, framingFlags, declaredLength, disconnectAtEnd) from the
     * status, the request and the handler's framing fields, read strictly. Returns the
     * Content-Length the record carries, or -1 for none. fullLength: the body of a whole response,
     * -1 for a streamed one.
     */
    private long writtenContentLength(HttpHeaders headers, int status, long fullLength) {
        long declared = declaredContentLength(headers);
        boolean handlerChunked = handlerChunked(headers);
        if (handlerChunked && declared >= 0) {
            throw new IllegalArgumentException("Content-Length " + declared + " together with Transfer-Encoding:"
                    + " chunked: send one of them (a chunked body has no Content-Length)");
        }
        boolean engineChunks = http11 && !http2;  // HTTP/1.0 clients and HTTP/2 streams never get chunked framing
        framingFlags = 0;
        declaredLength = -1;
        bodyWritten = 0;
        disconnectAtEnd = false;  // a head that failed to encode may be followed by another
        long length;
        if (status == 101) {
            framing = Framing.IDENTITY;  // bytes after the head pass through as they are
            length = -1;
        } else if (status == 204 || status == 205) {
            framing = Framing.NO_BODY;
            length = status == 205 ? 0 : -1;  // 205: no content, said so the client need not wait for a close
        } else if (headRequest || status == 304) {
            framing = Framing.NO_BODY;  // the fields the full answer would have (RFC 9110 9.3.2, 15.4.5)
            length = declared;
            framingFlags = headRequest && handlerChunked && engineChunks ? FLAG_CHUNKED : 0;
        } else if (handlerChunked && engineChunks) {
            framing = Framing.CHUNKED;
            length = -1;
        } else if (fullLength >= 0) {
            if (declared >= 0 && declared != fullLength) {
                throw new IllegalArgumentException("Content-Length " + declared + " does not match the " + fullLength
                        + " bytes of the FullHttpResponse's content");
            }
            framing = Framing.IDENTITY;
            length = fullLength;
        } else if (declared >= 0 || http2) {
            framing = Framing.IDENTITY;
            length = declared;
            declaredLength = declared;
        } else if (engineChunks) {
            framing = Framing.CHUNKED;
            length = -1;
        } else {
            framing = Framing.IDENTITY;
            length = -1;
            disconnectAtEnd = true;  // HTTP/1.0 without a length: closing the connection ends the body
        }
        if (framing == Framing.CHUNKED) {
            framingFlags = FLAG_CHUNKED;
        }
        return length;
    }

    /** The handler's Content-Length: -1 when absent; every field must be a number, and all the same. */
    private static long declaredContentLength(HttpHeaders headers) {
        long declared = -1;
        // Iterated in place: a list of the values would be an allocation per response.
        for (Iterator<? extends CharSequence> values =
                headers.valueCharSequenceIterator(HttpHeaderNames.CONTENT_LENGTH); values.hasNext();) {
            CharSequence value = values.next();
            long length = ResponseFieldRules.parseContentLength(AsciiString.trim(value));
            if (length < 0) {
                throw new IllegalArgumentException("Content-Length '" + value + "' is not a number of bytes");
            }
            if (declared >= 0 && declared != length) {
                throw new IllegalArgumentException("conflicting Content-Length values " + Math.min(declared, length)
                        + " and " + Math.max(declared, length));
            }
            declared = length;
        }
        return declared;
    }

    /** Whether the handler asked for chunked; any other transfer coding is refused. */
    private static boolean handlerChunked(HttpHeaders headers) {
        boolean chunked = false;
        for (Iterator<? extends CharSequence> values =
                headers.valueCharSequenceIterator(HttpHeaderNames.TRANSFER_ENCODING); values.hasNext();) {
            String value = values.next().toString();
            for (String coding : value.split(",")) {
                String trimmed = coding.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (!trimmed.equalsIgnoreCase(HttpHeaderValues.CHUNKED.toString()) || chunked) {
                    throw new IllegalArgumentException("Transfer-Encoding '" + value + "' is not supported: the"
                            + " engine frames responses itself (chunked, once); compress with Content-Encoding");
                }
                chunked = true;
            }
        }
        return chunked;
    }

    private void writeHeaders(ResponseRecordWriter writer, HttpHeaders headers) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            CharSequence name = header.getKey();
            int id = KnownHeaders.responseHeaderId(name);
            // The framing fields are the engine's (written from the decision), the TTL header is ours.
            if (id == KnownHeaders.TRANSFER_ENCODING || id == KnownHeaders.CONTENT_LENGTH
                    || (id < 0 ? HttpSysCache.TTL_HEADER.contentEqualsIgnoreCase(name)
                            : http2 && isConnectionSpecific(id))) {
                continue;
            }
            // A known id matched a known name, which is a token: only the value needs the check.
            check(id < 0 ? ResponseFieldRules.checkField("header", name, header.getValue())
                    : ResponseFieldRules.checkValue("header", name, header.getValue()));
            writer.header(id, name, header.getValue());
        }
    }

    /** Refuses trailers the engine would refuse, before any part of their message is added. */
    private void checkTrailers(HttpHeaders trailers) {
        if (framing != Framing.CHUNKED || trailers == null) {
            return;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> trailer = it.next();
            check(ResponseFieldRules.checkField("trailer", trailer.getKey(), trailer.getValue()));
            check(ResponseFieldRules.checkTrailerName(trailer.getKey()));
        }
    }

    /** A chunked response's trailers (checked) become the record's trailer fields; other framings drop them. */
    private void writeTrailers(ResponseRecordWriter writer, HttpHeaders trailers) {
        if (framing != Framing.CHUNKED || trailers == null) {
            return;
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> trailer = it.next();
            writer.trailer(trailer.getKey(), trailer.getValue());
        }
    }

    private static void check(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Counts body bytes against a declared Content-Length: never past it, never short of it at the end. */
    private void checkLength(long size, boolean last) {
        if (declaredLength < 0) {
            return;
        }
        if (bodyWritten + size > declaredLength) {
            throw new IllegalArgumentException("the response body runs past its Content-Length of " + declaredLength
                    + " bytes (" + (bodyWritten + size) + " written); the engine would reset the connection");
        }
        bodyWritten += size;
        if (last && bodyWritten < declaredLength) {
            throw new IllegalArgumentException("the response body ends at " + bodyWritten + " of its Content-Length"
                    + " of " + declaredLength + " bytes; the engine would reset the connection");
        }
    }

    /** Headers HTTP/2 forbids (RFC 9113 section 8.2.2); HTTP.SYS frames HTTP/2 itself. */
    private static boolean isConnectionSpecific(int id) {
        return id == KnownHeaders.CONNECTION || id == KnownHeaders.KEEP_ALIVE
                || id == KnownHeaders.TRANSFER_ENCODING || id == KnownHeaders.UPGRADE;
    }

    private void encodeBody(ByteBuf content, boolean last, HttpHeaders trailers, ByteBufAllocator alloc) {
        if (!last && (framing == Framing.NO_BODY || !content.isReadable())) {
            return;
        }
        if (framing != Framing.NO_BODY) {
            checkLength(content.readableBytes(), last);
        }
        if (last) {
            checkTrailers(trailers);
        }
        int copied = DirectAddresses.isAddressable(content) ? 0 : content.readableBytes();
        ResponseRecordWriter writer = writer(alloc, 128 + copied);
        addBody(writer, content);
        if (last) {
            writeTrailers(writer, trailers);
            buildingLast = true;
            state = State.DONE;
        }
    }

    /**
     * A file body part (never the last part: Netty ends a response with a LastHttpContent). Sent
     * by handle when the transport finds one, the region pinned until the send completes;
     * otherwise its bytes are copied.
     */
    private void encodeFile(FileRegion region, ByteBufAllocator alloc) {
        long remaining = region.count() - region.transferred();
        if (framing == Framing.NO_BODY || remaining <= 0) {
            return;
        }
        long handle = fileHandles.handleOf(region);
        if (handle < 0) {
            ByteBuf copy = FileRegionCopier.copy(region, alloc);
            try {
                encodeBody(copy, false, null, alloc);
            } finally {
                copy.release();
            }
            return;
        }
        checkLength(remaining, false);
        writer(alloc, 128).file(region, handle, region.position() + region.transferred(), remaining);
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
        if (building != null) {
            throw new IllegalStateException("a send is being built; finish it (finishSend) before ending the stream");
        }
        ResponseRecordWriter writer = new ResponseRecordWriter(alloc, 64);
        EncodedSend send = writer.finish(FLAG_DISCONNECT | sendFlags, 0, 0, true);
        state = State.DONE;
        return send;
    }

    private void encodeOpaque(ByteBuf bytes, ByteBufAllocator alloc) {
        if (!bytes.isReadable()) {
            return;
        }
        int copied = DirectAddresses.isAddressable(bytes) ? 0 : bytes.readableBytes();
        writer(alloc, 64 + copied).body(bytes);
    }

    /** Adds body bytes as data chunks, unless the response carries no body. */
    private void addBody(ResponseRecordWriter writer, ByteBuf content) {
        if (framing != Framing.NO_BODY) {
            writer.body(content);
        }
    }

    /**
     * The record's cacheTtlSeconds: the override or the default, for whole unchunked 200 responses
     * to GET only, and never for a response that sets a cookie or varies by request headers (the cache
     * is keyed by URL alone, so it would hand one client's cookie or encoding to everyone).
     */
    private long cacheTtl(HttpHeaders headers, int status, boolean wholeUnchunked) {
        String override = headers.get(HttpSysCache.TTL_HEADER);
        long ttl = override == null ? defaultCacheTtlSeconds : HttpSysCache.parseTtl(override);
        boolean eligible = wholeUnchunked && getRequest && status == 200 && ttl > 0
                && !headers.contains(HttpHeaderNames.SET_COOKIE) && !headers.contains(HttpHeaderNames.VARY);
        return eligible ? Math.min(ttl, MAX_TTL_SECONDS) : 0;
    }
}
