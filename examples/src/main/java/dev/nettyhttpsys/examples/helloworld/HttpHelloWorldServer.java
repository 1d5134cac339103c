package dev.nettyhttpsys.examples.helloworld;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;

/**
 * Netty's hello-world HTTP server with two lines changed: the IoHandler factory
 * ({@code HttpSysIoHandler.newFactory()} instead of {@code NioIoHandler.newFactory()}) and the
 * channel class ({@code HttpSysServerChannel} instead of {@code NioServerSocketChannel}).
 * Run it, then {@code curl http://127.0.0.1:8080/}.
 */
public final class HttpHelloWorldServer {
    static final int PORT = Integer.parseInt(System.getProperty("port", "8080"));

    private HttpHelloWorldServer() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(HttpSysIoHandler.newFactory());
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .group(group)
                    .channel(HttpSysServerChannel.class)
                    .handler(new LoggingHandler(LogLevel.INFO))
                    .childHandler(new HttpHelloWorldServerInitializer());
            Channel channel = bootstrap.bind(PORT).sync().channel();
            System.err.println("Open your web browser and navigate to http://127.0.0.1:" + PORT + '/');
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
