package dev.nettyhttpsys.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * The same hello-world pipeline on any transport, for the load script (benchmarks/load.sh):
 * {@code java -cp benchmarks.jar dev.nettyhttpsys.benchmarks.HelloWorldServer httpsys|nio|epoll|io_uring PORT [THREADS]}.
 */
public final class HelloWorldServer {
    private static final ByteBuf CONTENT = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes("Hello, world!".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

    private HelloWorldServer() {
    }

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.named(args.length > 0 ? args[0] : "httpsys");
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.factory.get());
        try {
            Channel channel = start(group, transport, port);
            System.out.println("READY " + transport + " on port " + port);
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Binds the hello-world server on group (whose IoHandler must suit transport); returns its channel. */
    static Channel start(EventLoopGroup group, Transport transport, int port) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(transport.channel)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), HANDLER);
                    }
                })
                .bind(port).sync().channel();
    }

    private static final ChannelHandler HANDLER = new Handler();

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        CONTENT.duplicate());
                response.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, CONTENT.readableBytes());
                ctx.write(response);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
