package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.ClientCertificate;
import dev.nettyhttpsys.codec.DecodedRequest;
import dev.nettyhttpsys.codec.EncodedSend;
import dev.nettyhttpsys.codec.ResponseRecordEncoder;
import dev.nettyhttpsys.codec.TlsFacts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * One HTTP request and its response, as a channel: HTTP.SYS hands out requests, not connections
 * (and HTTP/2 multiplexes them), so like Netty's HTTP/2 stream channels there is one child channel
 * per request. It reads {@link HttpRequest}, then {@code HttpContent}s ending with a
 * {@link LastHttpContent}; it writes a response ({@code FullHttpResponse}, or a head and contents,
 * {@code ByteBuf}s or {@link FileRegion}s) and closes itself when the response is complete.
 * Closing it earlier abandons the request (the client sees a reset). After a 101 it carries raw
 * {@code ByteBuf}s both ways, as a socket would, until either side closes.
 *
 * <p>It is a {@link SocketChannel} so {@code ChannelInitializer<SocketChannel>} works unchanged;
 * socket options are accepted and have no effect (HTTP.SYS owns the connection).
 */
public final class HttpSysChannel extends AbstractChannel implements SocketChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final int BODY_READ_SIZE = 16 * 1024;

    private final HttpSysChannelConfig config = new HttpSysChannelConfig(this);
    private final RequestQueue queue;
    private final long requestId;
    private final long connectionId;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final boolean secure;
    private final TlsFacts tls;
    private ClientCertificate clientCertificate;
    private final ResponseRecordEncoder encoder;
    private final boolean kernelBuffering;
    private final Ops ops = new Ops();

    private volatile boolean open = true;
    // Request side: the head and first body bytes wait here until the pipeline reads them.
    private HttpRequest pendingHead;
    private ByteBuf pendingBody;
    private final boolean moreBody;
    private boolean readScheduled;
    // read() was called and no data answered it yet (Netty's read() asks for one batch).
    private boolean readRequested;
    // After a 101 went out: raw bytes both ways until either side ends the stream.
    private boolean opaque;
    private boolean bodyReadInFlight;
    private ByteBuf bodyBuffer;
    private boolean inputDone;
    // Response side: one send in flight at a time, so sends reach the engine in order.
    private EncodedSend inFlight;
    private long inFlightSize;
    private boolean responseStarted;
    private boolean headSubmitted;
    private boolean lastSubmitted;
    private boolean finished;

    HttpSysChannel(HttpSysServerChannel parent, RequestQueue queue, DecodedRequest request, int defaultCacheTtl,
                   boolean kernelBuffering) {
        super(parent);
        this.queue = queue;
        this.requestId = request.requestId();
        this.connectionId = request.connectionId();
        this.remoteAddress = request.remoteAddress();
        this.localAddress = request.localAddress();
        this.secure = request.isSecure();
        this.tls = request.tls();
        this.pendingHead = request.request();
        this.pendingBody = request.initialBody();
        this.moreBody = request.hasMoreBody();
        this.encoder = new ResponseRecordEncoder(pendingHead.method(), pendingHead.protocolVersion(),
                request.isHttp2(), defaultCacheTtl, NativeFileRegionHandles.INSTANCE);
        this.kernelBuffering = kernelBuffering;
    }

    RequestQueue.RequestOps requestOps() {
        return ops;
    }

    /** The engine's id of this request (HTTP_REQUEST_ID on Windows). */
    public long requestId() {
        return requestId;
    }

    /** The id of the connection the request came on; equal for requests of one keep-alive connection. */
    public long connectionId() {
        return connectionId;
    }

    /** True when the request arrived over TLS. */
    public boolean isSecure() {
        return secure;
    }

    /** The TLS connection's protocol, cipher and key facts as HTTP.SYS reports them; null for plain HTTP. */
    public TlsFacts tls() {
        return tls;
    }

    /**
     * The client certificate and whether Windows trusts it; null for plain HTTP. The certificate is
     * present when the TLS binding negotiates client certificates or
     * {@link HttpSysChannelOption#EXPORT_CLIENT_CERTIFICATE} asks the engine to fetch it.
     *
     * @throws IllegalArgumentException when HTTP.SYS handed over bytes that are not an X.509 certificate
     */
    public ClientCertificate clientCertificate() {
        if (clientCertificate == null && tls != null) {
            clientCertificate = ClientCertificate.of(tls);
        }
        return clientCertificate;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    public HttpSysChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return localAddress;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remoteAddress;
    }

    /** Any event loop will do: the request's I/O runs on the queue's loop and hops back. */
    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected DefaultChannelPipeline newChannelPipeline() {
        return new DefaultChannelPipeline(this) {
            @Override
            protected void onUnhandledInboundException(Throwable cause) {
                super.onUnhandledInboundException(cause);
                failRequest();
            }
        };
    }

    /** A handler failed and nobody handled it: answer 500 if nothing was written yet, else reset. */
    private void failRequest() {
        if (!open) {
            return;
        }
        if (!responseStarted) {
            answer500();
        } else {
            close();
        }
    }

    private void answer500() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.INTERNAL_SERVER_ERROR, alloc().buffer(0));
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        writeAndFlush(response);
    }

    /**
     * A write failed before any head reached the engine. The handler may still recover (from the
     * failed promise's listener, which has run by now); if it did not, answer 500 rather than
     * leave the client waiting for a response that cannot come.
     */
    private void answerIfNothingFollows(Throwable cause) {
        eventLoop().execute(() -> {
            ChannelOutboundBuffer out = unsafe().outboundBuffer();
            if (open && !headSubmitted && inFlight == null && out != null && out.isEmpty()) {
                logger.warn("{}: a response write failed before any head was sent; answering 500", this, cause);
                answer500();
            }
        });
    }

    // ---- reading ----

    @Override
    protected void doBeginRead() {
        readRequested = true;
        if (!readScheduled && open) {
            readScheduled = true;
            // Deliver from a task, not from inside read(), so a handler calling read() in
            // channelReadComplete does not recurse.
            eventLoop().execute(this::readNow);
        }
    }

    private void readNow() {
        readScheduled = false;
        if (!open) {
            return;
        }
        if (pendingHead != null) {
            readRequested = false;
            deliverHead();
        } else if ((opaque || !inputDone) && !bodyReadInFlight && !lastSubmitted) {
            // Once the whole response is submitted the rest of the body no longer matters (the
            // engine drains or drops it), and reading it could race the end of the request.
            bodyReadInFlight = true;
            bodyBuffer = alloc().directBuffer(BODY_READ_SIZE);
            queue.receiveBody(requestId, ops, bodyBuffer);
        }
    }

    private void deliverHead() {
        HttpRequest head = pendingHead;
        ByteBuf body = pendingBody;
        pendingHead = null;
        pendingBody = null;
        HttpEncoderRemover.removeFrom(pipeline());
        if (SslHandlerRemover.removeFrom(pipeline()) && !secure) {
            // The pipeline asks for TLS but this request came in plain text: never serve it as
            // if it were protected. (Secure requests were decrypted by HTTP.SYS: they go on.)
            logger.error("{}: the pipeline has an SslHandler but the request arrived without TLS; "
                    + "HTTP.SYS terminates TLS itself: bind an https:// URL prefix. Request reset.", this);
            body.release();
            close();
            return;
        }
        pipeline().fireChannelRead(head);
        if (!moreBody) {
            inputDone = true;
            if (body.isReadable()) {
                pipeline().fireChannelRead(new DefaultLastHttpContent(body));
            } else {
                body.release();
                pipeline().fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        } else if (body.isReadable()) {
            pipeline().fireChannelRead(new DefaultHttpContent(body));
        } else {
            body.release();
        }
        pipeline().fireChannelReadComplete();
    }

    private void onBodyReceived(int status, long bytes) {
        bodyReadInFlight = false;
        ByteBuf buffer = bodyBuffer;
        bodyBuffer = null;
        if (!open || lastSubmitted) {
            buffer.release();
            return;
        }
        readRequested = false;
        if (opaque) {
            onOpaqueReceived(status, bytes, buffer);
            return;
        }
        if (status != EngineStatus.OK) {
            buffer.release();
            inputDone = true;
            if (finished) {
                return;  // the response is complete; the engine dropped the rest of the body
            }
            pipeline().fireExceptionCaught(EngineStatus.exception("reading the request body", status));
            close();
            return;
        }
        if (bytes == 0) {
            buffer.release();
            inputDone = true;
            pipeline().fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            buffer.writerIndex(buffer.writerIndex() + (int) bytes);
            pipeline().fireChannelRead(new DefaultHttpContent(buffer));
        }
        pipeline().fireChannelReadComplete();
    }

    /** Raw bytes after a 101: delivered as ByteBuf, as a socket channel would; EOF closes the channel. */
    private void onOpaqueReceived(int status, long bytes, ByteBuf buffer) {
        if (status != EngineStatus.OK || bytes == 0) {
            buffer.release();
            close();
            return;
        }
        buffer.writerIndex(buffer.writerIndex() + (int) bytes);
        pipeline().fireChannelRead(buffer);
        pipeline().fireChannelReadComplete();
    }

    // ---- writing ----

    /** HTTP.SYS per-send flags from the options: kernel buffering (server) and Nagle (TCP_NODELAY off). */
    private int sendFlags() {
        return (kernelBuffering ? ResponseRecordEncoder.FLAG_BUFFER_DATA : 0)
                | (config.isTcpNoDelay() ? 0 : ResponseRecordEncoder.FLAG_ENABLE_NAGLING);
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof HttpObject || msg instanceof ByteBuf || msg instanceof ByteBufHolder
                || msg instanceof FileRegion) {
            responseStarted = true;
            return msg;
        }
        throw new UnsupportedOperationException("HttpSysChannel writes HttpObject, ByteBuf or FileRegion messages, not "
                + msg.getClass().getName());
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        while (inFlight == null) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            if (lastSubmitted) {
                in.remove(new IllegalStateException("the response is already complete; cannot write "
                        + msg.getClass().getSimpleName()));
                continue;
            }
            long size = payloadSize(msg);
            EncodedSend send;
            try {
                // The encoder consumes a reference; the outbound buffer keeps its own until remove().
                encoder.setSendFlags(sendFlags());
                send = encoder.encode(ReferenceCountUtil.retain(msg), alloc());
            } catch (Throwable t) {
                in.remove(t);
                if (headSubmitted) {
                    // Part of a response already went out: sending the rest around the hole
                    // would deliver a complete-looking but wrong response. Reset instead.
                    close();
                    return;
                }
                answerIfNothingFollows(t);
                continue;
            }
            if (send == null) {
                in.remove();  // nothing for the engine (an interim 1xx, an empty chunk)
                continue;
            }
            inFlight = send;
            inFlightSize = size;
            lastSubmitted = send.isLast();
            headSubmitted = true;
            queue.send(requestId, ops, send);
        }
    }

    private void onSendCompleted(int status, long bytes) {
        EncodedSend send = inFlight;
        inFlight = null;
        send.release();
        if (status == EngineStatus.OK && (send.flags() & ResponseRecordEncoder.FLAG_OPAQUE) != 0) {
            // Only now does the engine read opaque bytes; a read asked for earlier waited for this.
            opaque = true;
            if (open && readRequested) {
                doBeginRead();
            }
        }
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        if (status != EngineStatus.OK) {
            if (out != null) {
                out.remove(EngineStatus.exception("sending the response", status));
            }
            // The engine refused or lost the send: the response cannot be completed, so reset the
            // request (a no-op when the connection is already gone) rather than leave it open.
            finish(true);
            close();
            return;
        }
        if (out != null) {
            if (inFlightSize > 0) {
                out.progress(inFlightSize);  // for ChannelProgressivePromise (file downloads)
            }
            out.remove();
        }
        if (send.isLast()) {
            finish(false);
            close();
        } else if (!open && opaque) {
            endOpaque();  // closed while this send was in flight
        } else if (out != null && !out.isEmpty()) {
            ((RequestUnsafe) unsafe()).flushFlushed();
        }
    }

    /** The message's own bytes, as its progressive promise counts them (no framing). */
    private static long payloadSize(Object msg) {
        if (msg instanceof FileRegion) {
            FileRegion region = (FileRegion) msg;
            return region.count() - region.transferred();
        }
        if (msg instanceof ByteBuf) {
            return ((ByteBuf) msg).readableBytes();
        }
        return msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
    }

    /** Ends an opaque stream gracefully (FIN after the bytes before it), as closing a socket does. */
    private void endOpaque() {
        if (finished || inFlight != null || lastSubmitted) {
            return;
        }
        lastSubmitted = true;
        inFlight = encoder.encodeOpaqueEnd(alloc());
        queue.send(requestId, ops, inFlight);
    }

    /** Tells the queue this request is over; abandoning it (no complete response) resets it. */
    private void finish(boolean abandon) {
        if (!finished) {
            finished = true;
            queue.finish(requestId, abandon);
        }
    }

    // ---- lifecycle ----

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a request channel cannot be bound");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        open = false;
        if (opaque && !finished) {
            endOpaque();  // or, with a send in flight, once it completes
        } else {
            finish(!lastSubmitted);
        }
        if (pendingBody != null) {
            pendingBody.release();
            pendingBody = null;
        }
        pendingHead = null;
    }

    private void onAborted() {
        finished = true;
        if (!isRegistered()) {
            // Not handed to its loop yet: registration then fails on a closed channel and the
            // acceptor drops it.
            doClose();
        } else if (open) {
            close();
        }
    }

    // ---- DuplexChannel: HTTP.SYS requests have no half-close ----

    @Override
    public boolean isInputShutdown() {
        return inputDone || !open;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS requests cannot be half-closed"));
    }

    @Override
    public boolean isOutputShutdown() {
        return lastSubmitted || !open;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS requests cannot be half-closed"));
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS requests cannot be half-closed"));
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new RequestUnsafe();
    }

    private final class RequestUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            safeSetFailure(promise, new UnsupportedOperationException("HTTP.SYS channels accept requests; they do not connect"));
        }

        /** Continues writing what was already flushed, without flushing later writes (unsafe().flush() would). */
        void flushFlushed() {
            flush0();
        }
    }

    /** The queue's callbacks, already on this channel's loop. */
    private final class Ops implements RequestQueue.RequestOps {
        @Override
        public EventLoop eventLoop() {
            return isRegistered() ? HttpSysChannel.this.eventLoop() : queue.eventLoop();
        }

        @Override
        public void onSendCompleted(int status, long bytes) {
            HttpSysChannel.this.onSendCompleted(status, bytes);
        }

        @Override
        public void onBodyReceived(int status, long bytes) {
            HttpSysChannel.this.onBodyReceived(status, bytes);
        }

        @Override
        public void onAborted() {
            HttpSysChannel.this.onAborted();
        }
    }
}
