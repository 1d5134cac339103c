package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.ClientCertificate;
import dev.nettyhttpsys.codec.DecodedRequest;
import dev.nettyhttpsys.codec.DirectAddresses;
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
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
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
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * One client connection, as a channel: it reads the connection's requests in order, each as an
 * {@link HttpRequest} followed by {@code HttpContent}s ending with a {@link LastHttpContent} (what
 * {@code HttpServerCodec} would produce from the socket), and writes their responses in the same
 * order ({@code FullHttpResponse}, or a head and contents, {@code ByteBuf}s or {@link FileRegion}s).
 * {@link #close()} closes the TCP connection after what was written; {@code channelInactive}
 * fires when the client goes away. After a 101 it carries raw {@code ByteBuf}s both ways, as a
 * socket would, until either side closes.
 *
 * <p>An HTTP/2 request (HTTP.SYS over TLS) is a stream of a multiplexed connection, so it gets a
 * channel of its own, as Netty's HTTP/2 stream channels do: one request and its response, after
 * which the channel closes itself; closing it earlier resets the stream.
 *
 * <p>It is a {@link SocketChannel} so {@code ChannelInitializer<SocketChannel>} works unchanged;
 * socket options are accepted and have no effect (HTTP.SYS owns the connection).
 */
public final class HttpSysChannel extends AbstractChannel implements SocketChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** Bytes handed to the engine and not yet sent, beyond which writes wait in the outbound buffer. */
    private static final long MAX_BYTES_IN_ENGINE = 256 * 1024;
    /** How many of the allocator's guesses one body read asks for (see startBodyRead). */
    private static final int GUESSES_PER_BODY_READ = 4;

    private final HttpSysChannelConfig config = new HttpSysChannelConfig(this);
    private final Consumer<HttpSysChannel> forget;
    private final RequestQueue queue;
    private final boolean stream;
    private final long connectionId;
    private final long streamRequestId;
    private final InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final int defaultCacheTtl;
    private final boolean kernelBuffering;
    private volatile IoRegistration registration;

    // On the queue's loop until the channel is registered: requests that came before that.
    private List<DecodedRequest> earlyRequests = new ArrayList<>(2);
    private boolean handedOver;
    private volatile boolean engineClosed;

    // On this channel's loop.
    private volatile boolean open = true;
    // Sized for one request at a time (they grow when a client pipelines): every idle connection keeps them.
    private final SmallFifo<DecodedRequest> unread = new SmallFifo<>();
    private final SmallFifo<Exchange> awaitingResponse = new SmallFifo<>();
    private final SendsInEngine inEngine = new SendsInEngine();
    private Exchange readingBody;   // its head was delivered, its LastHttpContent not yet
    private Exchange upgraded;      // after a 101: the exchange whose stream the bytes belong to
    private boolean opaque;
    private boolean readRequested;
    private boolean delivering;
    private boolean deliveryDeferred;  // the loop delivers this batch's requests once it is dispatched
    private boolean pipelinePrepared;
    private boolean bodyReadInFlight;
    private ByteBuf bodyBuffer;
    private boolean streamResponded;
    private long currentRequestId;
    private boolean secure;
    private TlsFacts tls;
    private ClientCertificate clientCertificate;

    /** {@code forget}: tells the server channel this child is gone (it never names its parent's class). */
    HttpSysChannel(ServerChannel parent, Consumer<HttpSysChannel> forget, RequestQueue queue, DecodedRequest first,
                   boolean stream, int defaultCacheTtl, boolean kernelBuffering) {
        super(parent);
        this.forget = forget;
        this.queue = queue;
        this.stream = stream;
        this.connectionId = first.connectionId();
        this.streamRequestId = stream ? first.requestId() : 0;
        this.remoteAddress = first.remoteAddress();
        this.localAddress = first.localAddress();
        this.defaultCacheTtl = defaultCacheTtl;
        this.kernelBuffering = kernelBuffering;
        this.currentRequestId = first.requestId();
        this.secure = first.isSecure();
        this.tls = first.tls();
    }

    /**
     * The engine's id of the request being answered (the oldest whose response is not complete),
     * else of the last request read; HTTP_REQUEST_ID on Windows.
     */
    public long requestId() {
        if (stream) {
            return streamRequestId;
        }
        Exchange oldest = awaitingResponse.peekFirst();
        return oldest != null ? oldest.requestId : currentRequestId;
    }

    /** The id of the client connection (HTTP_CONNECTION_ID on Windows); for a stream, of the connection it is on. */
    public long connectionId() {
        return connectionId;
    }

    /** True for an HTTP/2 stream (one request), false for an HTTP/1.x connection. */
    public boolean isStream() {
        return stream;
    }

    /** True when the connection arrived over TLS. */
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

    /**
     * Any event loop will do: the channel registers with the request queue's loop, where its
     * engine operations run, and their completions hop back to this channel's loop.
     */
    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) queue.eventLoop()).register((HttpSysIoHandle) unsafe()).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                promise.setSuccess();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    @Override
    protected void doDeregister() {
        IoRegistration current = registration;
        if (current != null) {
            current.cancel();  // stays routed until the operations in the engine complete
        }
    }

    @Override
    protected DefaultChannelPipeline newChannelPipeline() {
        return new DefaultChannelPipeline(this) {
            @Override
            protected void onUnhandledInboundException(Throwable cause) {
                super.onUnhandledInboundException(cause);
                failExchange();
            }
        };
    }

    // ---- requests arriving (the server channel calls these on the queue's loop) ----

    /** A request of this connection arrived; on the queue's loop. */
    void onRequest(DecodedRequest request) {
        if (!handedOver) {
            earlyRequests.add(request);
        } else if (eventLoop().inEventLoop()) {
            receive(request);
        } else {
            eventLoop().execute(() -> receive(request));
        }
    }

    /** The engine ended the connection (or the queue closed); on the queue's loop. */
    void onEngineClosed() {
        engineClosed = true;
        if (!handedOver) {
            releaseEarlyRequests();  // registered() closes the channel once it can
        } else if (eventLoop().inEventLoop()) {
            deliverDeferred();  // what came before the close is read first, as from a socket
            closeIfOpen();
        } else {
            eventLoop().execute(this::closeIfOpen);
        }
    }

    private void closeIfOpen() {
        if (open) {
            close();
        }
    }

    /** The handler registered this channel: from now on requests go to its loop. On the queue's loop. */
    private void handOver() {
        handedOver = true;
        List<DecodedRequest> early = earlyRequests;
        earlyRequests = null;
        if (engineClosed) {
            releaseAll(early);
            eventLoop().execute(this::closeIfOpen);
        } else if (!early.isEmpty()) {
            if (eventLoop().inEventLoop()) {
                for (DecodedRequest request : early) {
                    unread.addLast(request);  // read() asks for them once the channel is active
                }
            } else {
                eventLoop().execute(() -> {
                    for (DecodedRequest request : early) {
                        receive(request);
                    }
                });
            }
        }
    }

    private void releaseEarlyRequests() {
        List<DecodedRequest> early = earlyRequests;
        earlyRequests = null;
        if (early != null) {
            releaseAll(early);
        }
    }

    private static void releaseAll(Iterable<DecodedRequest> requests) {
        for (DecodedRequest request : requests) {
            request.initialBody().release();
        }
    }

    private void receive(DecodedRequest request) {
        if (!open) {
            request.initialBody().release();  // the engine drops what a closed connection sent
            return;
        }
        unread.addLast(request);
        if (readRequested) {
            deliverOrDefer();
        }
    }

    /**
     * Delivers now, or, while the queue's loop dispatches a batch of completions, once it is done:
     * the connection's other requests of the batch then come with it, as one socket read brings them.
     */
    private void deliverOrDefer() {
        if (deliveryDeferred) {
            return;
        }
        deliveryDeferred = queue.runAfterDispatch((ConnectionUnsafe) unsafe());
        if (!deliveryDeferred) {
            deliver();
        }
    }

    /** The batch that brought requests for this channel is dispatched: they are read together. */
    private void deliverDeferred() {
        if (deliveryDeferred) {
            deliveryDeferred = false;
            deliver();
        }
    }

    // ---- reading ----

    @Override
    protected void doBeginRead() {
        readRequested = true;
        deliverOrDefer();
    }

    /**
     * Answers read() requests while there is something to read. Handlers that call read() from
     * channelReadComplete (auto-read does) loop here instead of recursing.
     */
    private void deliver() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (open && readRequested && readOnce()) {
                // readOnce fired channelReadComplete; a read() it caused set readRequested again.
            }
        } finally {
            delivering = false;
        }
    }

    /** Delivers one batch; false when the next data has to come from the engine first. */
    private boolean readOnce() {
        if (opaque || readingBody != null) {
            startBodyRead();
            return false;
        }
        if (unread.isEmpty()) {
            return false;
        }
        readRequested = false;
        if (!pipelinePrepared && !preparePipeline(unread.peekFirst())) {
            return false;
        }
        // Every request already here, as a socket read would bring them, up to one whose body is
        // still to come: its contents come first.
        while (open && readingBody == null && !unread.isEmpty()) {
            deliverRequest(unread.pollFirst());
        }
        pipeline().fireChannelReadComplete();
        return true;
    }

    /**
     * Adapts a pipeline written for a socket before its first request: HTTP.SYS encodes responses
     * and terminates TLS, and parsed the connection's first bytes. False when the channel closed.
     */
    private boolean preparePipeline(DecodedRequest first) {
        pipelinePrepared = true;
        HttpEncoderRemover.removeFrom(pipeline());
        PriorKnowledgeHandlerRemover.removeFrom(pipeline());
        if (SslHandlerRemover.removeFrom(pipeline()) && !first.isSecure()) {
            // The pipeline asks for TLS but this connection is plain text: never serve it as if
            // it were protected. (Secure requests were decrypted by HTTP.SYS: they go on.)
            logger.error("{}: the pipeline has an SslHandler but the request arrived without TLS; "
                    + "HTTP.SYS terminates TLS itself: bind an https:// URL prefix. Connection reset.", this);
            submit(HttpSysIoOps.ofThisThread().cancel(queue, first.requestId()));
            close();
            return false;
        }
        return true;
    }

    private void deliverRequest(DecodedRequest request) {
        HttpRequest head = request.request();
        Exchange exchange = new Exchange(request.requestId(), new ResponseRecordEncoder(head.method(),
                head.protocolVersion(), request.isHttp2(), defaultCacheTtl, NativeFileRegionHandles.INSTANCE));
        awaitingResponse.addLast(exchange);
        currentRequestId = request.requestId();
        secure = request.isSecure();
        if (request.tls() != null) {
            tls = request.tls();
            clientCertificate = null;
        }
        ByteBuf body = request.initialBody();
        pipeline().fireChannelRead(head);
        if (!request.hasMoreBody()) {
            if (body.isReadable()) {
                pipeline().fireChannelRead(new DefaultLastHttpContent(body));
            } else {
                body.release();
                pipeline().fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        } else {
            readingBody = exchange;
            if (body.isReadable()) {
                pipeline().fireChannelRead(new DefaultHttpContent(body));
            } else {
                body.release();
            }
        }
    }

    private void startBodyRead() {
        Exchange target = opaque ? upgraded : readingBody;
        if (bodyReadInFlight || !open || target == null || registration == null) {
            return;
        }
        bodyReadInFlight = true;
        // Sized by the channel's RecvByteBufAllocator: one engine read stands for a socket
        // channel's read loop (several reads of the guess each), so it takes a few guesses. The
        // engine fills a read as far as the body allows, so on a bulk upload the adaptive guess
        // grows to 64 KB and a completion (and a wake-up of the engine's loop) brings 256 KB; a
        // slow upload's guess shrinks and its pending read holds little.
        RecvByteBufAllocator.Handle sizes = unsafe().recvBufAllocHandle();
        sizes.reset(config());
        bodyBuffer = alloc().directBuffer(sizes.guess() * GUESSES_PER_BODY_READ);
        sizes.attemptedBytesRead(bodyBuffer.writableBytes());
        HttpSysIoOps operation = HttpSysIoOps.ofThisThread().receiveBody(queue, target.requestId,
                DirectAddresses.readableAddress(bodyBuffer) + bodyBuffer.readableBytes(), bodyBuffer.writableBytes());
        long status = submit(operation);
        if (!operation.accepted(status)) {
            onBodyReceived((int) status, 0);
        }
    }

    private void onBodyReceived(int status, long bytes) {
        bodyReadInFlight = false;
        ByteBuf buffer = bodyBuffer;
        bodyBuffer = null;
        if (!open) {
            buffer.release();
            return;
        }
        if (opaque) {
            onOpaqueReceived(status, bytes, buffer);
            return;
        }
        Exchange exchange = readingBody;
        if (status != EngineStatus.OK) {
            buffer.release();
            readingBody = null;
            if (exchange != null && exchange.responded) {
                // Its response is complete: the engine dropped the rest of the body and ends the
                // connection, as over a socket a server that answers early does.
                return;
            }
            pipeline().fireExceptionCaught(EngineStatus.exception("reading the request body", status));
            close();
            return;
        }
        readRequested = false;
        RecvByteBufAllocator.Handle sizes = unsafe().recvBufAllocHandle();
        sizes.lastBytesRead((int) bytes);
        sizes.readComplete();
        if (bytes == 0) {
            buffer.release();
            readingBody = null;
            pipeline().fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
            // Requests pipelined behind this one go in the same batch, as a socket read brings them.
            while (open && readingBody == null && !unread.isEmpty()) {
                deliverRequest(unread.pollFirst());
            }
        } else {
            buffer.writerIndex(buffer.writerIndex() + (int) bytes);
            pipeline().fireChannelRead(new DefaultHttpContent(buffer));
        }
        pipeline().fireChannelReadComplete();
        deliver();
    }

    /** Raw bytes after a 101: delivered as ByteBuf, as a socket channel would; EOF closes the channel. */
    private void onOpaqueReceived(int status, long bytes, ByteBuf buffer) {
        if (status != EngineStatus.OK || bytes == 0) {
            buffer.release();
            close();
            return;
        }
        readRequested = false;
        buffer.writerIndex(buffer.writerIndex() + (int) bytes);
        pipeline().fireChannelRead(buffer);
        pipeline().fireChannelReadComplete();
        deliver();
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
            return msg;
        }
        throw new UnsupportedOperationException("HttpSysChannel writes HttpObject, ByteBuf or FileRegion messages, not "
                + msg.getClass().getName());
    }

    /**
     * Hands what was flushed to the engine, each message paired with the oldest request still
     * owed a response; the messages of one response in one flush go as one send ({@link SendBatch}).
     * A write's promise completes when the engine accepted it (as a socket write's does when the
     * kernel took the bytes); up to {@link #MAX_BYTES_IN_ENGINE} may be in the engine at once, the
     * rest waits here, so water marks keep their meaning.
     */
    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        SendBatch batch = SendBatch.borrow();
        try {
            writeBatches(in, batch);
        } finally {
            batch.giveBack();
        }
    }

    private void writeBatches(ChannelOutboundBuffer in, SendBatch batch) throws Exception {
        while (open && inEngine.bytes() < MAX_BYTES_IN_ENGINE) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            Exchange exchange = awaitingResponse.peekFirst();
            if (exchange == null) {
                in.remove(new IllegalStateException("no request on this connection is waiting for a response; cannot "
                        + "write " + msg.getClass().getSimpleName()));
                continue;
            }
            exchange.encoder.setSendFlags(sendFlags());
            batch.gather(in, exchange.encoder, alloc(), MAX_BYTES_IN_ENGINE - inEngine.bytes());
            Throwable refusal = batch.refusal();
            EncodedSend send = exchange.encoder.finishSend();
            if (send != null) {
                int status = submitSend(exchange, send, batch.payloadBytes());
                if (status != EngineStatus.OK) {
                    // The engine refused the record (e.g. a field it cannot send): the response
                    // cannot be completed, so the connection is reset rather than left waiting.
                    batch.removeTaken(in, EngineStatus.exception("sending the response", status));
                    close();
                    return;
                }
                exchange.headSubmitted = true;
                if (send.isLast()) {
                    exchange.responded = true;
                    awaitingResponse.pollFirst();
                    streamResponded = stream;
                } else if ((send.flags() & ResponseRecordEncoder.FLAG_OPAQUE) != 0) {
                    upgraded = exchange;
                }
            }
            batch.removeTaken(in, null);  // listeners run now: a close() there finds the send in the engine
            if (streamResponded && open) {
                close();  // a stream ends with its response
                return;
            }
            if (refusal != null && open) {
                in.remove(refusal);
                if (exchange.headSubmitted) {
                    // Part of a response already went out: sending the rest around the hole
                    // would deliver a complete-looking but wrong response. Reset instead.
                    close();
                    return;
                }
                answerIfNothingFollows(exchange, refusal);
            }
        }
    }

    private int submitSend(Exchange exchange, EncodedSend send, long size) {
        inEngine.add(send, size);
        HttpSysIoOps operation = HttpSysIoOps.ofThisThread().send(queue, exchange.requestId, send.recordAddress(),
                send.recordLength());
        long status = submit(operation);
        if (!operation.accepted(status)) {
            inEngine.removeLast().release();
            return (int) status;
        }
        if (status == EngineStatus.OK_COPIED) {
            send.engineCopied();  // its memory is free now; the completion still follows
        }
        return EngineStatus.OK;
    }

    /** The engine completed the oldest {@code sends} sends in the engine (more than one only when all succeeded). */
    private void onSendCompleted(int status, int sends) {
        boolean nowOpaque = false;
        for (int i = 0; i < sends; i++) {
            EncodedSend send = inEngine.removeFirst();
            if (send == null) {
                return;
            }
            nowOpaque |= status == EngineStatus.OK && (send.flags() & ResponseRecordEncoder.FLAG_OPAQUE) != 0;
            send.release();
        }
        if (status != EngineStatus.OK) {
            // The connection broke (or the engine gave up on it) after the send was accepted.
            logger.debug("{}: a send failed in the engine: {}", this, EngineStatus.describe(status));
            closeIfOpen();
            return;
        }
        if (nowOpaque) {
            // Only now does the engine read opaque bytes; a read asked for earlier waited for this.
            opaque = true;
            if (open && readRequested) {
                deliver();
            }
        }
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        if (open && out != null && !out.isEmpty() && inEngine.bytes() < MAX_BYTES_IN_ENGINE) {
            ((ConnectionUnsafe) unsafe()).flushFlushed();
        }
    }

    /** Starts an engine operation through this channel's registration (the queue's loop runs it). */
    private long submit(HttpSysIoOps operation) {
        IoRegistration current = registration;
        if (current == null) {
            return EngineStatus.CANCELLED;
        }
        return current.submit(operation);
    }

    // ---- failures ----

    /** A handler failed and nobody handled it: answer 500 if its request got nothing yet, else reset. */
    private void failExchange() {
        Exchange exchange = awaitingResponse.peekFirst();
        if (!open || exchange == null) {
            return;  // no request waits for an answer: as over a socket, the exception is only logged
        }
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        if (!exchange.headSubmitted && (out == null || out.isEmpty())) {
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
     * A write failed before any head of its response reached the engine. The handler may still
     * recover (from the failed promise's listener, which has run by now); if it did not, answer
     * 500 rather than leave the client waiting for a response that cannot come.
     */
    private void answerIfNothingFollows(Exchange exchange, Throwable cause) {
        eventLoop().execute(() -> {
            ChannelOutboundBuffer out = unsafe().outboundBuffer();
            if (open && awaitingResponse.peekFirst() == exchange && !exchange.headSubmitted && out != null
                    && out.isEmpty()) {
                logger.warn("{}: a response write failed before any head was sent; answering 500", this, cause);
                answer500();
            }
        });
    }

    // ---- lifecycle ----

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a connection channel cannot be bound");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    /**
     * Closes the connection (HTTP/1.x) after the responses already handed to the engine; a
     * response still incomplete is reset. A stream is reset unless its response is complete.
     */
    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        open = false;
        for (DecodedRequest request = unread.pollFirst(); request != null; request = unread.pollFirst()) {
            request.initialBody().release();
        }
        if (!engineClosed) {
            if (!stream) {
                submitOrRun(HttpSysIoOps.ofThisThread().closeConnection(queue, connectionId));
            } else if (!streamResponded) {
                submitOrRun(HttpSysIoOps.ofThisThread().cancel(queue, streamRequestId));
            }
        }
        forget.accept(this);
    }

    /** Submits through the registration, or straight on the queue's loop when there is none yet. */
    private void submitOrRun(HttpSysIoOps operation) {
        if (registration != null) {
            submit(operation);
            return;
        }
        HttpSysIoOps copy = operation.copy();
        queue.eventLoop().execute(() -> {
            releaseEarlyRequests();
            copy.start(0);
        });
    }

    // ---- DuplexChannel: HTTP.SYS connections have no half-close ----

    @Override
    public boolean isInputShutdown() {
        return !open;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS connections cannot be half-closed"));
    }

    @Override
    public boolean isOutputShutdown() {
        return !open;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS connections cannot be half-closed"));
    }

    @Override
    public boolean isShutdown() {
        return !open;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("HTTP.SYS connections cannot be half-closed"));
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new ConnectionUnsafe();
    }

    private final class ConnectionUnsafe extends AbstractUnsafe implements HttpSysIoHandle, AfterDispatch {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            safeSetFailure(promise, new UnsupportedOperationException("HTTP.SYS channels accept connections; they do not connect"));
        }

        /** Continues writing what was already flushed, without flushing later writes (flush() would). */
        void flushFlushed() {
            flush0();
        }

        /** The batch that brought requests for this channel is dispatched (no object per channel for it). */
        @Override
        public void afterDispatch() {
            deliverDeferred();
        }

        /** Registered with the queue's handler; on the queue's loop. */
        @Override
        public void registered() {
            handOver();
        }

        /** A completion of this channel's operations, on the queue's loop: hop to this channel's loop. */
        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            HttpSysIoEvent event = (HttpSysIoEvent) ioEvent;
            int type = event.type();
            int status = event.status();
            long length = event.length();
            int operations = event.operations();
            if (eventLoop().inEventLoop()) {
                onCompletion(type, status, length, operations);
                return;
            }
            try {
                eventLoop().execute(() -> onCompletion(type, status, length, operations));
            } catch (RejectedExecutionException e) {
                onCompletion(type, status, length, operations);  // this channel's loop is gone: free what the engine returned here
            }
        }

        /** The queue's loop shuts down (its handler closes every handle): close on this channel's loop. */
        @Override
        public void close() {
            if (eventLoop().inEventLoop()) {
                close(voidPromise());
                return;
            }
            try {
                eventLoop().execute(() -> close(voidPromise()));
            } catch (RejectedExecutionException e) {
                logger.debug("{}: not closed with its request queue's loop: its own loop is shut down too", HttpSysChannel.this);
            }
        }
    }

    private void onCompletion(int type, int status, long length, int operations) {
        if (type == Native.SEND_COMPLETED) {
            onSendCompleted(status, operations);
        } else if (type == Native.BODY_RECEIVED) {
            onBodyReceived(status, length);
        }
    }
}
