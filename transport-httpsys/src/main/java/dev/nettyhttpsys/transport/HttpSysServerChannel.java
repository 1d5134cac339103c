package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.DecodedRequest;
import dev.nettyhttpsys.codec.RequestRecordDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.socket.ServerSocketChannel;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A server channel backed by an HTTP.SYS request queue (or the Linux engine's equivalent). It
 * accepts requests rather than connections: every request becomes an {@link HttpSysChannel} read
 * by this channel's pipeline, as accepted sockets are for {@code NioServerSocketChannel}, so
 * {@code ServerBootstrap} works unchanged.
 *
 * <p>{@code bind(new InetSocketAddress(port))} registers {@code http://+:port/};
 * {@link HttpSysServerAddress} and {@link HttpSysChannelOption#URL_PREFIXES} name other prefixes.
 */
public final class HttpSysServerChannel extends AbstractServerChannel implements ServerSocketChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysServerChannel.class);

    private final HttpSysServerChannelConfig config = new HttpSysServerChannelConfig(this);
    private volatile IoRegistration registration;
    private volatile RequestQueue queue;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile InetSocketAddress localAddress;
    private volatile List<UrlPrefix> prefixes = List.of();
    // Per-response settings, fixed at bind (requests arrive on the queue loop, which did the bind).
    private int defaultCacheTtl;
    private boolean kernelBuffering;

    public HttpSysServerChannel() {
        super();
    }

    @Override
    public HttpSysServerChannelConfig config() {
        return config;
    }

    /** The URL prefixes this channel has registered (at bind, then added and removed while running). */
    public List<UrlPrefix> urlPrefixes() {
        return prefixes;
    }

    /**
     * Registers one more URL prefix on the running request queue, e.g. {@code http://+:8080/api/v2/}.
     * The future fails with an {@link HttpSysException} naming the prefix when the engine refuses it
     * (taken by another queue, no URL reservation, ...), or an {@link IllegalArgumentException} for
     * a malformed prefix, or an {@link IllegalStateException} before bind.
     */
    public Future<Void> addUrlPrefix(String prefix) {
        return changePrefixes(prefix, true);
    }

    /** Unregisters a prefix this channel registered; requests for it get 404 (or another queue) from then on. */
    public Future<Void> removeUrlPrefix(String prefix) {
        return changePrefixes(prefix, false);
    }

    private Future<Void> changePrefixes(String prefix, boolean add) {
        Promise<Void> promise = eventLoop().newPromise();
        UrlPrefix parsed;
        try {
            parsed = UrlPrefix.parse(prefix);
        } catch (IllegalArgumentException e) {
            return promise.setFailure(e);
        }
        eventLoop().execute(() -> {
            RequestQueue current = queue;
            if (current == null || !active) {
                promise.setFailure(new IllegalStateException("the server channel is not bound (or closed): cannot "
                        + (add ? "add " : "remove ") + prefix));
                return;
            }
            if (!add && !prefixes.contains(parsed)) {
                promise.setFailure(new IllegalArgumentException(prefix + " is not registered by this channel; it has "
                        + prefixes));
                return;
            }
            try {
                current.changeUrl(parsed, add);
            } catch (HttpSysException e) {
                promise.setFailure(e);
                return;
            }
            List<UrlPrefix> updated = new ArrayList<>(prefixes);
            if (add) {
                updated.add(parsed);
            } else {
                updated.remove(parsed);
            }
            prefixes = List.copyOf(updated);
            promise.setSuccess(null);
        });
        return promise;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress localAddress0() {
        return localAddress;
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(ServerUnsafe.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((ServerUnsafe) unsafe()).addListener(f -> {
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
            registration = null;
            current.cancel();
        }
    }

    @Override
    protected void doBind(SocketAddress address) throws Exception {
        if (!(address instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("bind to an InetSocketAddress (port) or an HttpSysServerAddress, not "
                    + address.getClass().getName());
        }
        List<UrlPrefix> toRegister = new ArrayList<>();
        if (address instanceof HttpSysServerAddress) {
            toRegister.addAll(((HttpSysServerAddress) address).prefixes());
        } else {
            toRegister.add(UrlPrefix.anyHost(((InetSocketAddress) address).getPort()));
        }
        for (String extra : config.urlPrefixes()) {
            toRegister.add(UrlPrefix.parse(extra));
        }
        if (toRegister.get(0).port() == 0) {
            throw new IllegalArgumentException("HTTP.SYS cannot pick a free port: bind to an explicit port");
        }
        // Read once at bind, not per request: the config is a concurrent map.
        defaultCacheTtl = config.setting(HttpSysChannelOption.CACHE_DURATION_SECONDS);
        kernelBuffering = config.setting(HttpSysChannelOption.KERNEL_RESPONSE_BUFFERING);
        RequestQueue newQueue = new RequestQueue(this, registration.<HttpSysIoHandler>attachment(), eventLoop());
        newQueue.open(config, toRegister);
        queue = newQueue;
        prefixes = List.copyOf(toRegister);
        localAddress = new InetSocketAddress(toRegister.get(0).port());
        active = true;
    }

    @Override
    protected void doClose() {
        open = false;
        active = false;
        RequestQueue current = queue;
        if (current != null) {
            current.close();
        }
    }

    @Override
    protected void doBeginRead() {
        // The engine keeps receives posted; requests are delivered as they complete.
    }

    /** A request record arrived: make its channel and hand it to the pipeline (the acceptor). */
    void onRequest(ByteBuf record) {
        RequestQueue current = queue;
        if (current == null) {
            return;
        }
        DecodedRequest request;
        try {
            request = RequestRecordDecoder.decode(record, config.getAllocator());
        } catch (RuntimeException e) {
            // The engine wrote a record Java cannot read: a bug, not bad input. Reset the request
            // rather than leave its client waiting.
            logger.warn("cancelling a request whose record cannot be decoded", e);
            if (record.readableBytes() >= 16) {
                current.finish(record.getLongLE(record.readerIndex() + 8), true);
            }
            return;
        }
        HttpSysChannel child = new HttpSysChannel(this, current, request, defaultCacheTtl, kernelBuffering);
        current.track(request.requestId(), child.requestOps());
        pipeline().fireChannelRead(child);
        pipeline().fireChannelReadComplete();
    }

    void onQueueClosed() {
        queue = null;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    private final class ServerUnsafe extends AbstractUnsafe implements HttpSysIoHandle {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            safeSetFailure(promise, new UnsupportedOperationException("HTTP.SYS channels accept requests; they do not connect"));
        }

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            // Completions reach the request queue directly by token.
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }
}
