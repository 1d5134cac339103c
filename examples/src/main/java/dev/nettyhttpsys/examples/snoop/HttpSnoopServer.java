package dev.nettyhttpsys.examples.snoop;

import dev.nettyhttpsys.examples.common.ServerTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;

/**
 * Echoes every request back as text: method, URI, version, headers, query parameters, body,
 * client and server addresses, and on HTTP.SYS over TLS the connection's TLS facts and client
 * certificate. Runs on HTTP.SYS when available, else epoll or NIO ({@link ServerTransport}).
 * Try {@code curl -d hello 'http://127.0.0.1:8080/some/path?x=1&y=2'}.
 */
public final class HttpSnoopServer {
    private HttpSnoopServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        ServerTransport transport = ServerTransport.select();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpServerExpectContinueHandler(),
                                    new HttpObjectAggregator(1024 * 1024),
                                    new HttpSnoopServerHandler());
                        }
                    })
                    .bind(port).sync().channel();
            System.out.println("Snoop server on " + transport.name() + " listening on http://127.0.0.1:" + port + "/");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
