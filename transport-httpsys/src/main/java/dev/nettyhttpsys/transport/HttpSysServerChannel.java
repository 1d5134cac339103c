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
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A server channel backed by an HTTP.SYS request queue (or the Linux engine's equivalent).
 * HTTP.SYS hands out requests; this channel turns them back into connections: the first request
 * of each client connection creates an {@link HttpSysChannel} read by this channel's pipeline, as
 * accepted sockets are for {@code NioServerSocketChannel} (so {@code ServerBootstrap} works
 * unchanged), and that channel carries the connection's requests in order. An HTTP/2 request
 * (Windows, TLS) gets a channel of its own, as Netty's HTTP/2 stream channels do.
 *
 * <p>{@code bind(new InetSocketAddress(port))} registers {@code http://+:port/}, port 0 a free
 * port that {@link #localAddress()} then reports; {@link HttpSysServerAddress} and
 * {@link HttpSysChannelOption#URL_PREFIXES} name other prefixes.
 */
public final class HttpSysServerChannel extends AbstractServerChannel implements ServerSocketChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysServerChannel.class);
    private static final int FREE_PORT_ATTEMPTS = 10;
    private static final boolean WINDOWS = PlatformDependent.isWindows();

    private final HttpSysServerChannelConfig config = new HttpSysServerChannelConfig(this);
    private volatile IoRegistration registration;
    private volatile RequestQueue queue;
    // The open children, on this channel's loop only: HTTP/1.x connections by connection id,
    // HTTP/2 streams by request id.
    private final LongKeyTable<HttpSysChannel> connections = new LongKeyTable<>();
    private final LongKeyTable<HttpSysChannel> streams = new LongKeyTable<>();
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

    /**
     * The counters of the engine loop this channel's request queue runs on (connections, live
     * requests, pending completions, record memory, output cache), read on its event loop.
     */
    public Future<HttpSysEngineStats> engineStats() {
        Promise<HttpSysEngineStats> promise = eventLoop().newPromise();
        if (eventLoop().inEventLoop()) {
            readEngineStats(promise);
        } else {
            eventLoop().execute(() -> readEngineStats(promise));
        }
        return promise;
    }

    private void readEngineStats(Promise<HttpSysEngineStats> promise) {
        IoRegistration current = registration;
        if (current == null) {
            promise.setFailure(new IllegalStateException("the server channel is not registered"));
        } else {
            promise.setSuccess(current.<HttpSysIoRegistration>attachment().engineStats());
        }
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
        String listenAddress = "";
        if (address instanceof HttpSysServerAddress) {
            toRegister.addAll(((HttpSysServerAddress) address).prefixes());
        } else {
            InetSocketAddress socketAddress = (InetSocketAddress) address;
            toRegister.add(UrlPrefix.anyHost(socketAddress.getPort()));
            listenAddress = listenAddressOf(socketAddress);
        }
        for (String extra : config.urlPrefixes()) {
            toRegister.add(UrlPrefix.parse(extra));
        }
        // Read once at bind, not per request: the config is a concurrent map.
        defaultCacheTtl = config.setting(HttpSysChannelOption.CACHE_DURATION_SECONDS);
        kernelBuffering = config.setting(HttpSysChannelOption.KERNEL_RESPONSE_BUFFERING);
        boolean pickPort = toRegister.get(0).port() == 0;
        for (int attempt = 1;; attempt++) {
            List<UrlPrefix> candidate = pickPort ? onFreePort(toRegister) : toRegister;
            RequestQueue newQueue = new RequestQueue(registration.attachment(), eventLoop());
            try {
                newQueue.open(config.setting(HttpSysChannelOption.REQUEST_QUEUE_NAME),
                        config.setting(HttpSysChannelOption.REQUEST_QUEUE_MODE), config.nativeQueueSettings(),
                        candidate, listenAddress);
            } catch (HttpSysException e) {
                // A port that was free a moment ago may be taken by the time it is registered.
                if (pickPort && attempt < FREE_PORT_ATTEMPTS) {
                    logger.debug("free port {} was taken meanwhile; trying another", candidate.get(0).port(), e);
                    continue;
                }
                throw e;
            }
            queue = newQueue;
            prefixes = List.copyOf(candidate);
            break;
        }
        localAddress = listenAddress.isEmpty() ? new InetSocketAddress(prefixes.get(0).port())
                : new InetSocketAddress(((InetSocketAddress) address).getAddress(), prefixes.get(0).port());
        active = true;
    }

    /**
     * A socket bound to one address accepts connections to that address only: the posix engine
     * listens there (any Host header is accepted, as for a socket). HTTP.SYS listens on its IP
     * listen list instead, for every process on the machine; say so rather than expose silently.
     */
    private String listenAddressOf(InetSocketAddress address) {
        if (address.isUnresolved() || address.getAddress().isAnyLocalAddress()) {
            return "";
        }
        String ip = address.getAddress().getHostAddress();
        if (WINDOWS) {
            logger.warn("{}: bound to {}, but HTTP.SYS listens on every address of its IP listen list; to listen on "
                    + "{} only, run (as administrator) netsh http add iplisten ipaddress={} (see docs/windows-setup.md)",
                    this, address, ip, ip);
        }
        return ip;
    }

    /**
     * HTTP.SYS cannot register port 0, so, as for NIO's bind(0), a port the operating system calls
     * free is chosen and every prefix that names port 0 moves to it.
     */
    private static List<UrlPrefix> onFreePort(List<UrlPrefix> prefixes) throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<UrlPrefix> moved = new ArrayList<>(prefixes.size());
        for (UrlPrefix prefix : prefixes) {
            moved.add(prefix.port() == 0 ? prefix.withPort(port) : prefix);
        }
        return moved;
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

    /** Children end with the queue: it no longer serves their connections. On this loop. */
    private void closeChildren() {
        List<HttpSysChannel> children = new ArrayList<>(connections.size() + streams.size());
        connections.forEachValue(children::add);
        streams.forEachValue(children::add);
        for (HttpSysChannel child : children) {
            child.onEngineClosed();
        }
    }

    @Override
    protected void doBeginRead() {
        // The engine keeps receives posted; requests are delivered as they complete.
    }

    /**
     * A request record arrived: hand it to its connection's channel, making the channel (and
     * passing it to the pipeline, the acceptor) for a connection's first request. On this loop.
     */
    private void onRequest(ByteBuf record) {
        RequestQueue current = queue;
        if (current == null) {
            return;
        }
        DecodedRequest request;
        HttpSysChannel connection;
        try {
            // A connection's addresses are decoded once, for its first request.
            connection = connections.get(RequestRecordDecoder.connectionId(record));
            request = RequestRecordDecoder.decode(record, config.getAllocator(), connection == null);
        } catch (RuntimeException e) {
            // The engine wrote a record Java cannot read: a bug, not bad input. Reset the request
            // rather than leave its client waiting.
            logger.warn("cancelling a request whose record cannot be decoded", e);
            long handle = current.handleIfOpen();
            if (handle != 0 && record.readableBytes() >= 16) {
                Native.cancel(handle, record.getLongLE(record.readerIndex() + 8));
            }
            return;
        }
        if (connection != null) {  // (HTTP/2 connections are never in the table: streams are)
            connection.onRequest(request);
            return;
        }
        HttpSysChannel child = new HttpSysChannel(this, this::forget, current, request, request.isHttp2(),
                defaultCacheTtl, kernelBuffering);
        if (request.isHttp2()) {
            streams.put(request.requestId(), child);
        } else {
            connections.put(request.connectionId(), child);
        }
        child.onRequest(request);
        pipeline().fireChannelRead(child);
        pipeline().fireChannelReadComplete();
    }

    /** A child closed: forget it (from any loop). */
    void forget(HttpSysChannel child) {
        if (eventLoop().inEventLoop()) {
            forget0(child);
        } else {
            eventLoop().execute(() -> forget0(child));
        }
    }

    private void forget0(HttpSysChannel child) {
        LongKeyTable<HttpSysChannel> table = child.isStream() ? streams : connections;
        long key = child.isStream() ? child.requestId() : child.connectionId();
        if (table.get(key) == child) {
            table.remove(key);
        }
    }

    private void onConnectionClosed(long connectionId) {
        HttpSysChannel child = connections.remove(connectionId);
        if (child != null) {
            child.onEngineClosed();
        }
    }

    /** Only HTTP/2 streams hear of an aborted request: a connection's channel hears CONNECTION_CLOSED. */
    private void onRequestAborted(long requestId) {
        HttpSysChannel stream = streams.remove(requestId);
        if (stream != null) {
            stream.onEngineClosed();
        }
    }

    /**
     * The queue is gone: asked for by close(), or (status != OK) the engine could no longer post
     * receives and no request will ever arrive again. Then the channel closes itself, loudly,
     * rather than stay bound and deaf.
     */
    private void onQueueClosed(int status) {
        RequestQueue current = queue;
        if (current != null) {
            current.onClosed();
        }
        queue = null;
        closeChildren();
        if (status != EngineStatus.OK && isOpen()) {
            HttpSysException cause = EngineStatus.exception("receiving requests on " + prefixes, status);
            logger.error("{}: the request queue stopped for good; closing the server channel", this, cause);
            pipeline().fireExceptionCaught(cause);
            close();
        }
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
            HttpSysIoEvent event = (HttpSysIoEvent) ioEvent;
            switch (event.type()) {
                case Native.REQUEST_RECEIVED:
                    onRequest(event.record());
                    break;
                case Native.CONNECTION_CLOSED:
                    onConnectionClosed(event.connectionId());
                    break;
                case Native.REQUEST_ABORTED:
                    onRequestAborted(event.requestId());
                    break;
                case Native.QUEUE_CLOSED:
                    onQueueClosed(event.status());
                    break;
                default:
                    break;
            }
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }
}
