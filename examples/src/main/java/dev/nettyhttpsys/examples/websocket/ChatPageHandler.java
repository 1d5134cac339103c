package dev.nettyhttpsys.examples.websocket;

import dev.nettyhttpsys.examples.common.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the chat page ({@code chat.html}) at {@code /} to GET; any other request that is not the
 * WebSocket handshake gets 404 (or 405 for another method at {@code /}).
 */
public final class ChatPageHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final byte[] PAGE = readPage();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean page = "/".equals(new QueryStringDecoder(request.uri()).path());
        if (!page) {
            HttpResponses.send(ctx, request, HttpResponses.text(request, HttpResponseStatus.NOT_FOUND, "not found\n"));
        } else if (!HttpMethod.GET.equals(request.method())) {
            HttpResponses.send(ctx, request, HttpResponses.text(request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "the page answers GET\n"));
        } else {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(PAGE));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
            HttpUtil.setContentLength(response, PAGE.length);
            HttpResponses.send(ctx, request, response);
        }
    }

    private static byte[] readPage() {
        try (InputStream in = ChatPageHandler.class.getResourceAsStream("chat.html")) {
            if (in == null) {
                throw new IllegalStateException("chat.html is missing from the classpath (examples resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
