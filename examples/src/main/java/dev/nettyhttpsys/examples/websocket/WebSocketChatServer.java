package dev.nettyhttpsys.examples.websocket;

import dev.nettyhttpsys.examples.common.ServerTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;

/**
 * A chat room: the page at {@code /} opens a WebSocket to {@code /chat?name=...}; every text message
 * a client sends goes to every client connected (and the last few to those who join later).
 * On HTTP.SYS the WebSocket is the request's connection after the 101, as opaque bytes.
 * Open {@code http://127.0.0.1:8080/} in two browser windows.
 */
public final class WebSocketChatServer {
    /** Where the WebSocket is opened. */
    public static final String CHAT_PATH = "/chat";

    private WebSocketChatServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        ServerTransport transport = ServerTransport.select();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        ChatRoom room = new ChatRoom();
        WebSocketServerProtocolConfig webSocket = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(CHAT_PATH)
                .checkStartsWith(true) // the client's name travels in the query
                .allowExtensions(true)
                .build();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    new WebSocketServerCompressionHandler(0),
                                    new WebSocketServerProtocolHandler(webSocket),
                                    new ChatPageHandler(),
                                    new ChatFrameHandler(room));
                        }
                    })
                    .bind(port).sync().channel();
            System.out.println("WebSocket chat on " + transport.name() + " listening on http://127.0.0.1:" + port + "/");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
