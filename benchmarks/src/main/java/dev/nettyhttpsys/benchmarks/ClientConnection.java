package dev.nettyhttpsys.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One client connection of {@link LoadClient}: sends a scenario's requests (or WebSocket
 * messages), keeps {@code depth} in flight, checks each answer's status and size. Runs on its
 * event loop only, except {@link #start}, which hands the work to it.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {
    private final Scenario scenario;
    private final String host;
    private final ByteBuf body;
    /** Completes when requests can be sent: connected, and for WebSocket upgraded. */
    final CompletableFuture<Void> ready = new CompletableFuture<>();

    private ChannelHandlerContext ctx;
    private int toSend;
    private int toFinish;
    private long bodyBytes;
    private Runnable onDone;
    private Consumer<Throwable> onFailure;

    ClientConnection(Scenario scenario, String host, ByteBuf body) {
        this.scenario = scenario;
        this.host = host;
        this.body = body;
    }

    Channel channel() {
        return ctx == null ? null : ctx.channel();
    }

    /** Runs {@code exchanges} exchanges, then calls onDone (or onFailure once, on the first problem). */
    void start(int exchanges, Runnable onDone, Consumer<Throwable> onFailure) {
        ctx.executor().execute(() -> {
            this.onDone = onDone;
            this.onFailure = onFailure;
            toSend = exchanges;
            toFinish = exchanges;
            for (int i = Math.min(scenario.depth, exchanges); i > 0; i--) {
                ctx.write(nextMessage());
            }
            ctx.flush();
        });
    }

    private Object nextMessage() {
        toSend--;
        ByteBuf content = scenario.requestBytes == 0 ? Unpooled.EMPTY_BUFFER : body.retainedDuplicate();
        if (scenario.isWebSocket()) {
            return new BinaryWebSocketFrame(content);
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, scenario.method, scenario.path,
                content);
        request.headers().set(HttpHeaderNames.HOST, host);
        if (scenario.requestBytes > 0) {
            request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, scenario.requestBytes);
        }
        return request;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!scenario.isWebSocket()) {
            ready.complete(null);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ready.complete(null);
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IOException(scenario + ": WebSocket handshake timed out"));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof BinaryWebSocketFrame) {
                expectBodyBytes(((BinaryWebSocketFrame) msg).content().readableBytes());
                finishOne();
                return;
            }
            if (msg instanceof HttpResponse) {
                HttpResponseStatus status = ((HttpResponse) msg).status();
                if (!HttpResponseStatus.OK.equals(status)) {
                    fail(new IOException(scenario + ": answered " + status + " instead of 200 OK"));
                    return;
                }
                bodyBytes = 0;
            }
            if (msg instanceof HttpContent) {
                bodyBytes += ((HttpContent) msg).content().readableBytes();
                if (msg instanceof LastHttpContent) {
                    expectBodyBytes(bodyBytes);
                    finishOne();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void expectBodyBytes(long received) {
        if (received != scenario.responseBytes) {
            fail(new IOException(scenario + ": " + received + " body bytes instead of " + scenario.responseBytes));
        }
    }

    private void finishOne() {
        if (onFailure == null) {
            return; // failed already
        }
        if (toSend > 0) {
            ctx.writeAndFlush(nextMessage());
        }
        if (--toFinish == 0) {
            onDone.run();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ready.completeExceptionally(new IOException(scenario + ": the server closed the connection before it was ready"));
        if (toFinish > 0) {
            fail(new IOException(scenario + ": the server closed the connection with " + toFinish
                    + " answers outstanding"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        fail(cause);
        ctx.close();
    }

    private void fail(Throwable cause) {
        if (onFailure != null) {
            Consumer<Throwable> failure = onFailure;
            onFailure = null;
            toFinish = 0;
            failure.accept(cause);
        }
    }
}
