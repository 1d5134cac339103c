package dev.nettyhttpsys.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The benchmark server's handler, the same on every transport; the request's path picks the work:
 * <ul>
 *   <li>{@code GET /}: hello world (13 bytes), as Netty's example;</li>
 *   <li>{@code GET /4k}, {@code GET /64k}: a body of that size from memory;</li>
 *   <li>{@code GET /file}: a 1 MiB file as a {@code DefaultFileRegion} (sendfile where the transport can);</li>
 *   <li>{@code POST /echo}: the request body streamed back as it is read;</li>
 *   <li>{@code GET /stream?bytes=N}: N bytes of zeros, chunked ({@code Transfer-Encoding: chunked}),
 *       written as an {@link HttpChunkedInput} of 64 KiB chunks by a {@link ChunkedWriteHandler}
 *       (added in front of this handler by the connection's first such request);</li>
 *   <li>{@code POST /upload}: the request body counted, never held, and the count answered as text;</li>
 *   <li>{@code GET /ws}: a WebSocket upgrade, then every frame echoed ({@link WebSocketEcho}).</li>
 * </ul>
 * Responses are written as requests arrive and flushed once per read burst, so pipelined requests
 * leave in one flush. One instance per channel: it remembers what the request in progress is.
 */
final class ScenarioHandler extends SimpleChannelInboundHandler<HttpObject> {
    static final String HELLO = "/";
    static final String BYTES_4K = "/4k";
    static final String BYTES_64K = "/64k";
    static final String FILE = "/file";
    static final String ECHO = "/echo";
    static final String WEBSOCKET = "/ws";
    static final String STREAM = "/stream";
    static final String UPLOAD = "/upload";
    /** Largest WebSocket frame echoed. */
    static final int MAX_FRAME_BYTES = 64 * 1024;

    private final ServerContent content;
    /** The body of the request in progress is being echoed. */
    private boolean echoing;
    /** The upgrade request in progress, answered at its end. */
    private FullHttpRequest upgrade;
    /** The body of the request in progress is being counted, in {@link #uploaded}. */
    private boolean uploading;
    private long uploaded;

    ScenarioHandler(ServerContent content) {
        this.content = content;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpRequest) {
            onRequest(ctx, (HttpRequest) msg);
        }
        if (msg instanceof HttpContent) {
            onContent(ctx, (HttpContent) msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        switch (request.uri()) {
            case HELLO:
                ctx.write(whole(HttpResponseStatus.OK, content.hello));
                break;
            case BYTES_4K:
                ctx.write(whole(HttpResponseStatus.OK, content.bytes4k));
                break;
            case BYTES_64K:
                ctx.write(whole(HttpResponseStatus.OK, content.bytes64k));
                break;
            case FILE:
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                        .set(HttpHeaderNames.CONTENT_LENGTH, content.file.length());
                ctx.write(head);
                ctx.write(new DefaultFileRegion(content.file, 0, content.file.length()));
                ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
                break;
            case ECHO:
                startEcho(ctx, request);
                break;
            case UPLOAD:
                startUpload(ctx, request);
                break;
            case WEBSOCKET:
                upgrade = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                        Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
                break;
            default:
                onQuery(ctx, request);
        }
    }

    /** The paths that take a query string; parsed only here, so the fixed paths above cost no parsing. */
    private void onQuery(ChannelHandlerContext ctx, HttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (!STREAM.equals(query.path())) {
            ctx.write(whole(HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER));
        } else if (!HttpMethod.GET.equals(request.method())) {
            ctx.write(whole(HttpResponseStatus.METHOD_NOT_ALLOWED, Unpooled.EMPTY_BUFFER));
        } else {
            startStream(ctx, query);
        }
    }

    private void startStream(ChannelHandlerContext ctx, QueryStringDecoder query) {
        List<String> values = query.parameters().getOrDefault("bytes", List.of());
        long bytes = values.size() == 1 ? parseCount(values.get(0)) : -1;
        if (bytes < 0) {
            ctx.write(whole(HttpResponseStatus.BAD_REQUEST, Unpooled.copiedBuffer(
                    STREAM + " needs one bytes=N, N a whole number of bytes (0 or more), e.g. " + STREAM
                            + "?bytes=1048576\n", StandardCharsets.US_ASCII)));
            return;
        }
        if (ctx.pipeline().get(ChunkedWriteHandler.class) == null) {
            ctx.pipeline().addBefore(ctx.name(), "chunked-writer", new ChunkedWriteHandler());
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.write(new HttpChunkedInput(new FillerInput(content.streamChunk, bytes)));
    }

    /** A non-negative decimal count, or -1. */
    private static long parseCount(String text) {
        try {
            long count = Long.parseLong(text);
            return count >= 0 ? count : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void startUpload(ChannelHandlerContext ctx, HttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            ctx.write(whole(HttpResponseStatus.METHOD_NOT_ALLOWED, Unpooled.EMPTY_BUFFER));
            return;
        }
        uploading = true;
        uploaded = 0;
    }

    private void startEcho(ChannelHandlerContext ctx, HttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            ctx.write(whole(HttpResponseStatus.METHOD_NOT_ALLOWED, Unpooled.EMPTY_BUFFER));
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        if (HttpUtil.isContentLengthSet(request)) {
            HttpUtil.setContentLength(head, HttpUtil.getContentLength(request));
        } else {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        ctx.write(head);
        echoing = true;
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent part) {
        boolean last = part instanceof LastHttpContent;
        if (echoing) {
            ByteBuf bytes = part.content().retain();
            ctx.write(last ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes));
            echoing = !last;
        } else if (uploading) {
            uploaded += part.content().readableBytes();
            if (last) {
                uploading = false;
                ctx.write(whole(HttpResponseStatus.OK, Unpooled.copiedBuffer(Long.toString(uploaded),
                        StandardCharsets.US_ASCII)));
            }
        } else if (upgrade != null && last) {
            FullHttpRequest request = upgrade;
            upgrade = null;
            acceptWebSocket(ctx, request);
        }
    }

    private void acceptWebSocket(ChannelHandlerContext ctx, FullHttpRequest request) {
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + WEBSOCKET;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false,
                MAX_FRAME_BYTES).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        } else {
            ctx.pipeline().replace(this, "websocket-echo", new WebSocketEcho(handshaker));
            handshaker.handshake(ctx.channel(), request);
        }
        request.release();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (upgrade != null) {
            upgrade.release();
            upgrade = null;
        }
    }

    private static FullHttpResponse whole(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body.duplicate());
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }
}
