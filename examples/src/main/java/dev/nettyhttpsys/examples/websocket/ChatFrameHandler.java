package dev.nettyhttpsys.examples.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.util.List;

/**
 * One chat client after its WebSocket handshake: joins the room under the name from
 * {@code ?name=}, and broadcasts each text frame as {@code name: text}.
 */
public final class ChatFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final int MAX_NAME = 20;

    private final ChatRoom room;
    private String name = "guest";

    /** A handler for one connection of {@code room}. */
    public ChatFrameHandler(ChatRoom room) {
        this.room = room;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            String uri = ((WebSocketServerProtocolHandler.HandshakeComplete) event).requestUri();
            name = nameFrom(uri);
            room.join(ctx.channel());
            room.broadcast("* " + name + " joined");
            ctx.channel().closeFuture().addListener(closed -> room.broadcast("* " + name + " left"));
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            room.broadcast(name + ": " + ((TextWebSocketFrame) frame).text());
        }
    }

    /** The client's chosen name: letters, digits, '-' and '_' only, at most 20; "guest" otherwise. */
    static String nameFrom(String uri) {
        List<String> names = new QueryStringDecoder(uri).parameters().get("name");
        if (names == null || names.isEmpty()) {
            return "guest";
        }
        String cleaned = names.get(0).replaceAll("[^\\p{L}\\p{N}_-]", "");
        cleaned = cleaned.substring(0, Math.min(cleaned.length(), MAX_NAME));
        return cleaned.isEmpty() ? "guest" : cleaned;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cause.printStackTrace();
        ctx.close();
    }
}
