package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns what a Netty HTTP handler writes for one request into engine response records
 * (records.h {@code ResponseRecordHeader}): a {@code FullHttpResponse}, or an
 * {@code HttpResponse} then {@code HttpContent}s ending with a {@code LastHttpContent}, and after a
 * 101 raw {@code ByteBuf}s. HTTP framing is decided here, as HTTP.SYS leaves it to the sender:
 * Content-Length for whole responses, chunked encoding for streamed HTTP/1.1 responses, close
 * delimited for HTTP/1.0, none for HTTP/2; no body for HEAD, 1xx, 204 and 304.
 *
 * <p>{@link #encode} consumes one reference of the message.
 */
public final class ResponseRecordEncoder {
    public static final int FLAG_HAS_HEAD = 1;
    public static final int FLAG_MORE_DATA = 2;
    public static final int FLAG_DISCONNECT = 4;
    public static final int FLAG_OPAQUE = 8;

    static final int HEADER_SIZE = 24;
    static final int CHUNK_SIZE = 32;
    private static final int CHUNK_MEMORY = 0;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n'};

    private enum State { HEAD, BODY, OPAQUE, DONE }

    private final boolean headRequest;
    private final boolean getRequest;
    private final HttpVersion requestVersion;
    private final boolean http2;
    private final long defaultCacheTtlSeconds;
    private State state = State.HEAD;
    private boolean noBody;
    private boolean chunked;
    private boolean disconnectAtEnd;

    public ResponseRecordEncoder(HttpMethod requestMethod, HttpVersion requestVersion, boolean http2,
                                 long defaultCacheTtlSeconds) {
        this.headRequest = HttpMethod.HEAD.equals(requestMethod);
        this.getRequest = HttpMethod.GET.equals(requestMethod);
        this.requestVersion = requestVersion;
        this.http2 = http2;
        this.defaultCacheTtlSeconds = defaultCacheTtlSeconds;
    }

    /** True once the last part of the response was encoded. */
    public boolean isComplete() {
        return state == State.DONE;
    }

    /**
     * Encodes one outbound message; returns null when it produces nothing to send (an interim
     * 1xx response, which the engine answers itself, or an empty non-final content).
     */
    public EncodedSend encode(Object msg, ByteBufAllocator alloc) {
        try {
            switch (state) {
                case HEAD:
                    if (msg instanceof HttpResponse) {
                        return encodeHead((HttpResponse) msg, alloc);
                    }
                    throw new IllegalStateException("response body written before the response head: "
                            + msg.getClass().getSimpleName());
                case BODY:
                    if (msg instanceof HttpResponse) {
                        throw new IllegalStateException("a second response head for one request");
                    }
                    if (msg instanceof HttpContent) {
                        HttpContent content = (HttpContent) msg;
                        boolean last = content instanceof LastHttpContent;
                        return encodeBody(content.content(), last,
                                last ? ((LastHttpContent) content).trailingHeaders() : null, alloc);
                    }
                    if (msg instanceof ByteBuf) {
                        return encodeBody((ByteBuf) msg, false, null, alloc);
                    }
                    throw unsupported(msg);
                case OPAQUE:
                    if (msg instanceof ByteBuf) {
                        return encodeOpaque((ByteBuf) msg, alloc);
                    }
                    if (msg instanceof ByteBufHolder) {
                        return encodeOpaque(((ByteBufHolder) msg).content(), alloc);
                    }
                    throw unsupported(msg);
                default:
                    throw new IllegalStateException("the response is already complete; cannot write "
                            + msg.getClass().getSimpleName());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static IllegalArgumentException unsupported(Object msg) {
        return new IllegalArgumentException("cannot send " + msg.getClass().getName()
                + " as part of an HTTP response");
    }

    private EncodedSend encodeHead(HttpResponse response, ByteBufAllocator alloc) {
        int status = response.status().code();
        if (status >= 100 && status < 200 && status != 101) {
            return null;  // interim: HTTP.SYS and the posix engine send 100 Continue themselves
        }
        HttpHeaders headers = response.headers();
        boolean full = response instanceof FullHttpResponse;
        ByteBuf content = full ? ((FullHttpResponse) response).content() : null;
        boolean upgrade = status == 101;
        boolean bodyForbidden = status < 200 || status == 204 || status == 304;
        noBody = bodyForbidden || headRequest;
        long ttl = cacheTtl(headers, status, full);
        boolean chunkedByHandler = HttpUtil.isTransferEncodingChunked(response);
        if (http2) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        boolean hasLength = headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (full && !upgrade) {
            chunked = chunkedByHandler && !http2 && !noBody;
            if (!bodyForbidden && !hasLength && !chunkedByHandler && !headRequest) {
                headers.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            }
        } else if (!upgrade && !bodyForbidden) {
            if (chunkedByHandler) {
                chunked = !http2;
            } else if (!hasLength && !http2) {
                if (requestVersion.isKeepAliveDefault()) {
                    headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    chunked = !headRequest;
                } else {
                    disconnectAtEnd = true;  // HTTP/1.0 without a length: the close ends the body
                }
            }
        }
        if (headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)) {
            disconnectAtEnd = true;
        }

        RecordWriter writer = new RecordWriter(alloc, 256 + headers.size() * 48);
        writer.reason(response.status().reasonPhrase());
        int headerCount = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            writer.header(header.getKey(), header.getValue());
            headerCount++;
        }
        int flags = FLAG_HAS_HEAD;
        boolean last;
        if (upgrade) {
            state = State.OPAQUE;
            flags |= FLAG_OPAQUE | FLAG_MORE_DATA;
            last = false;
            if (full) {
                writer.body(content, alloc);
            }
        } else if (full) {
            addBody(writer, content, true, ((FullHttpResponse) response).trailingHeaders(), alloc);
            state = State.DONE;
            last = true;
            if (disconnectAtEnd) {
                flags |= FLAG_DISCONNECT;
            }
        } else {
            state = State.BODY;
            flags |= FLAG_MORE_DATA;
            last = false;
        }
        return writer.finish(response.status().code(), headerCount, flags, last ? ttl : 0, last);
    }

    private EncodedSend encodeBody(ByteBuf content, boolean last, HttpHeaders trailers, ByteBufAllocator alloc) {
        if (!last && (!content.isReadable() || noBody)) {
            return null;
        }
        RecordWriter writer = new RecordWriter(alloc, 64);
        addBody(writer, content, last, trailers, alloc);
        int flags = last ? (disconnectAtEnd ? FLAG_DISCONNECT : 0) : FLAG_MORE_DATA;
        if (last) {
            state = State.DONE;
        }
        return writer.finish(0, 0, flags, 0, last);
    }

    private EncodedSend encodeOpaque(ByteBuf bytes, ByteBufAllocator alloc) {
        if (!bytes.isReadable()) {
            return null;
        }
        RecordWriter writer = new RecordWriter(alloc, 64);
        writer.body(bytes, alloc);
        return writer.finish(0, 0, FLAG_MORE_DATA, 0, false);
    }

    /** Adds body bytes as chunks, with chunked framing when the response uses it. */
    private void addBody(RecordWriter writer, ByteBuf content, boolean last, HttpHeaders trailers,
                         ByteBufAllocator alloc) {
        if (noBody) {
            return;
        }
        if (!chunked) {
            writer.body(content, alloc);
            return;
        }
        int size = content.readableBytes();
        if (size > 0) {
            ByteBuf prefix = alloc.directBuffer(12);
            ByteBufUtil.writeAscii(prefix, Integer.toHexString(size));
            prefix.writeBytes(CRLF);
            writer.pin(prefix);
            writer.body(content, alloc);
            writer.pin(alloc.directBuffer(2).writeBytes(CRLF));
        }
        if (last) {
            ByteBuf end = alloc.directBuffer(5);
            end.writeBytes(LAST_CHUNK);
            if (trailers != null) {
                for (Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
                     it.hasNext();) {
                    Map.Entry<CharSequence, CharSequence> trailer = it.next();
                    end.writeCharSequence(trailer.getKey(), StandardCharsets.ISO_8859_1);
                    end.writeByte(':').writeByte(' ');
                    end.writeCharSequence(trailer.getValue(), StandardCharsets.ISO_8859_1);
                    end.writeBytes(CRLF);
                }
            }
            end.writeBytes(CRLF);
            writer.pin(end);
        }
    }

    /** Reads and strips the per-response override; caches only whole 200 responses to GET. */
    private long cacheTtl(HttpHeaders headers, int status, boolean full) {
        String override = headers.get(HttpSysCache.TTL_HEADER);
        long ttl = defaultCacheTtlSeconds;
        if (override != null) {
            headers.remove(HttpSysCache.TTL_HEADER);
            try {
                ttl = Long.parseLong(override.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(HttpSysCache.TTL_HEADER + " must be a number of seconds: "
                        + override);
            }
        }
        boolean eligible = full && getRequest && status == 200 && ttl > 0;
        return eligible ? Math.min(ttl, 0xFFFFFFFFL) : 0;
    }

    /** Writes one record: header, reason, headers, then the chunk table of pinned buffers. */
    private static final class RecordWriter {
        private final ByteBuf record;
        private ByteBuf[] pinned = new ByteBuf[4];
        private int pinnedCount;
        private boolean failed = true;

        RecordWriter(ByteBufAllocator alloc, int capacity) {
            record = alloc.directBuffer(capacity);
            record.writeZero(HEADER_SIZE);
        }

        void reason(String reason) {
            int start = record.writerIndex();
            ByteBufUtil.writeAscii(record, reason);
            record.setShortLE(10, record.writerIndex() - start);
        }

        void header(CharSequence name, CharSequence value) {
            int id = KnownHeaders.responseHeaderId(name);
            int entry = record.writerIndex();
            record.writeZero(8);
            int nameLength = 0;
            if (id < 0) {
                int start = record.writerIndex();
                record.writeCharSequence(name, StandardCharsets.ISO_8859_1);
                nameLength = record.writerIndex() - start;
            }
            int valueStart = record.writerIndex();
            record.writeCharSequence(value, StandardCharsets.ISO_8859_1);
            record.setByte(entry, id < 0 ? KnownHeaders.UNKNOWN : id);
            record.setShortLE(entry + 2, nameLength);
            record.setIntLE(entry + 4, record.writerIndex() - valueStart);
        }

        /** References body bytes in place when addressable, else copies them to direct memory. */
        void body(ByteBuf content, ByteBufAllocator alloc) {
            if (!content.isReadable()) {
                return;
            }
            if (DirectAddresses.isAddressable(content)) {
                pin(content.retainedSlice());
            } else {
                pin(alloc.directBuffer(content.readableBytes()).writeBytes(content, content.readerIndex(),
                        content.readableBytes()));
            }
        }

        void pin(ByteBuf buffer) {
            if (pinnedCount == pinned.length) {
                ByteBuf[] bigger = new ByteBuf[pinned.length * 2];
                System.arraycopy(pinned, 0, bigger, 0, pinnedCount);
                pinned = bigger;
            }
            pinned[pinnedCount++] = buffer;
        }

        EncodedSend finish(int status, int headerCount, int flags, long ttl, boolean last) {
            try {
                record.writeZero((8 - (record.writerIndex() & 7)) & 7);
                for (int i = 0; i < pinnedCount; i++) {
                    ByteBuf chunk = pinned[i];
                    record.writeIntLE(CHUNK_MEMORY).writeIntLE(0)
                            .writeLongLE(DirectAddresses.readableAddress(chunk))
                            .writeLongLE(0)
                            .writeLongLE(chunk.readableBytes());
                }
                if (pinnedCount > 0xFFFF || headerCount > 0xFFFF) {
                    throw new IllegalArgumentException("response has more than 65535 headers or chunks");
                }
                record.setIntLE(0, record.writerIndex());
                record.setIntLE(4, flags);
                record.setShortLE(8, status);
                record.setShortLE(12, headerCount);
                record.setShortLE(14, pinnedCount);
                record.setIntLE(16, (int) ttl);
                EncodedSend send = new EncodedSend(record, pinned, pinnedCount, flags, last);
                failed = false;
                return send;
            } finally {
                if (failed) {
                    record.release();
                    for (int i = 0; i < pinnedCount; i++) {
                        pinned[i].release();
                    }
                }
            }
        }
    }
}
