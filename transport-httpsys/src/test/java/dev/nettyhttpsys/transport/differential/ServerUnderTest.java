package dev.nettyhttpsys.transport.differential;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One server of a differential pair, started exactly as a user would: only the factory and channel class differ. */
final class ServerUnderTest implements AutoCloseable {
    enum Kind { NIO, HTTPSYS }

    final Kind kind;
    final int port;
    private final EventLoopGroup group;
    private final Channel channel;

    private ServerUnderTest(Kind kind, EventLoopGroup group, Channel channel, int port) {
        this.kind = kind;
        this.group = group;
        this.channel = channel;
        this.port = port;
    }

    static ServerUnderTest start(Kind kind, ChannelInitializer<SocketChannel> initializer,
                                 Consumer<ServerBootstrap> customizer) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                kind == Kind.NIO ? NioIoHandler.newFactory() : HttpSysIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                    .channel(kind == Kind.NIO ? NioServerSocketChannel.class : HttpSysServerChannel.class)
                    .childHandler(initializer);
            customizer.accept(bootstrap);
            // HTTP.SYS cannot pick a free port (it binds URL prefixes), so both get an explicit one.
            int port = freePort();
            Channel channel = bootstrap.bind(new InetSocketAddress(port)).sync().channel();
            return new ServerUnderTest(kind, group, channel, port);
        } catch (Exception e) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
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
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public String toString() {
        return kind + ":" + port;
    }
}
