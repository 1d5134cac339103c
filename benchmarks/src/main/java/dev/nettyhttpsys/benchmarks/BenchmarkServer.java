package dev.nettyhttpsys.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * The server every benchmark measures, on any transport: {@link HttpServerCodec} and
 * {@link ScenarioHandler}, written as a Netty user writes it (public API only).
 * <p>
 * For the load scripts:
 * {@code java -cp benchmarks.jar dev.nettyhttpsys.benchmarks.BenchmarkServer TRANSPORT [PORT] [THREADS]}
 * with TRANSPORT one of httpsys, httpsys-cached, epoll, io_uring, nio; PORT 0 (the default) picks a
 * free one. Prints {@code READY <transport> port=<port>} once it listens.
 */
public final class BenchmarkServer implements AutoCloseable {
    private static final int BIND_ATTEMPTS = 5;

    private final EventLoopGroup group;
    private final Channel channel;
    private final int port;

    private BenchmarkServer(EventLoopGroup group, Channel channel, int port) {
        this.group = group;
        this.channel = channel;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.named(args.length > 0 ? args[0] : "httpsys");
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        try (BenchmarkServer server = start(transport, port, threads)) {
            System.out.println("READY " + transport + " port=" + server.port());
            server.channel.closeFuture().sync();
        }
    }

    /**
     * Starts the server with its own event-loop group of {@code threads} threads. Port 0 picks a
     * free port (the httpsys engine cannot bind port 0 itself, so one is chosen and retried if taken).
     */
    static BenchmarkServer start(Transport transport, int port, int threads) {
        transport.ensureAvailable();
        ServerContent content = new ServerContent();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.factory.get());
        ServerBootstrap bootstrap = bootstrap(group, transport, content);
        for (int attempt = 1; ; attempt++) {
            int chosen = port != 0 ? port : freePort();
            ChannelFuture bound = bootstrap.bind(chosen).awaitUninterruptibly();
            if (bound.isSuccess()) {
                return new BenchmarkServer(group, bound.channel(), chosen);
            }
            if (port != 0 || attempt == BIND_ATTEMPTS) {
                group.shutdownGracefully();
                throw new IllegalStateException(transport + " cannot bind port " + chosen + ": " + bound.cause(),
                        bound.cause());
            }
        }
    }

    private static ServerBootstrap bootstrap(EventLoopGroup group, Transport transport, ServerContent content) {
        return transport.configure(new ServerBootstrap())
                .group(group)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new ScenarioHandler(content));
                    }
                });
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }
}
