package dev.nettyhttpsys.transport.differential;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One server of a differential pair, started exactly as Netty's examples start one (a boss group
 * and a worker group): only the IoHandler factory and the channel class differ. On this
 * transport the workers are other loops than the request queue's, so every request also
 * exercises the hops between the two.
 */
final class ServerUnderTest implements AutoCloseable {
    enum Kind { NIO, HTTPSYS }

    final Kind kind;
    final int port;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;

    private ServerUnderTest(Kind kind, EventLoopGroup boss, EventLoopGroup workers, Channel channel, int port) {
        this.kind = kind;
        this.boss = boss;
        this.workers = workers;
        this.channel = channel;
        this.port = port;
    }

    static ServerUnderTest start(Kind kind, ChannelInitializer<SocketChannel> initializer,
                                 Consumer<ServerBootstrap> customizer) throws Exception {
        IoHandlerFactory factory = kind == Kind.NIO ? NioIoHandler.newFactory() : HttpSysIoHandler.newFactory();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, factory);
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                    .channel(kind == Kind.NIO ? NioServerSocketChannel.class : HttpSysServerChannel.class)
                    .childHandler(initializer);
            customizer.accept(bootstrap);
            // HTTP.SYS cannot pick a free port (it binds URL prefixes), so both get an explicit one.
            int port = freePort();
            Channel channel = bootstrap.bind(new InetSocketAddress(port)).sync().channel();
            return new ServerUnderTest(kind, boss, workers, channel, port);
        } catch (Exception e) {
            shutdown(boss, workers);
            throw e;
        }
    }

    private static void shutdown(EventLoopGroup boss, EventLoopGroup workers) {
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        shutdown(boss, workers);
    }

    @Override
    public String toString() {
        return kind + ":" + port;
    }
}
