package dev.nettyhttpsys.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A real server on this transport for a test: bound to a free port, closed with the test. */
final class TestServer implements AutoCloseable {
    final EventLoopGroup group;
    final Channel channel;
    final int port;

    private TestServer(EventLoopGroup group, Channel channel, int port) {
        this.group = group;
        this.channel = channel;
        this.port = port;
    }

    static TestServer start(int threads, Consumer<SocketChannel> pipeline) throws Exception {
        return start(threads, freePort(), pipeline);
    }

    /** One loop, on the given port (0: the transport picks one). */
    static TestServer startOnPort(int port, Consumer<SocketChannel> pipeline) throws Exception {
        return start(1, new InetSocketAddress(port), pipeline);
    }

    /** One loop, bound to the given address. */
    static TestServer startOn(InetSocketAddress address, Consumer<SocketChannel> pipeline) throws Exception {
        return start(1, address, pipeline);
    }

    private static TestServer start(int threads, int port, Consumer<SocketChannel> pipeline) throws Exception {
        return start(threads, new InetSocketAddress(port), pipeline);
    }

    private static TestServer start(int threads, InetSocketAddress address, Consumer<SocketChannel> pipeline)
            throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, HttpSysIoHandler.newFactory());
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(HttpSysServerChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            pipeline.accept(ch);
                        }
                    })
                    .bind(address).sync().channel();
            return new TestServer(group, channel, ((InetSocketAddress) channel.localAddress()).getPort());
        } catch (Exception e) {
            group.shutdownGracefully().syncUninterruptibly();
            throw e;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Everything the server sends until it ends the connection; a reset ends it too (some cases expect one). */
    static String readUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0;) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // the server reset the connection
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }
}
