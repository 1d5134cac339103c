package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shapes of Netty's examples that need a channel to be a connection: ending it with the
 * CLOSE listener, an idle keep-alive connection closed by IdleStateHandler, state per connection,
 * pipelined requests with bodies. Each must behave exactly as over NIO.
 */
class ConnectionModelDifferentialTest {
    /** Answers every request, then ends the connection unannounced, as Netty examples end error answers. */
    private static final class AnswerThenClose extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("goodbye", StandardCharsets.US_ASCII));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 7);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Test
    void theCloseListenerEndsTheConnectionAfterTheResponse() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1024), new AnswerThenClose())))) {
            Differential.Outcome outcome = servers.exchangeAndWatch(3000, "GET /bye HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(outcome.httpsys.serverClosed, "the connection ended after the response");
        }
    }

    @Test
    void idleStateHandlerClosesAnIdleKeepAliveConnection() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new IdleStateHandler(0, 0, 300, TimeUnit.MILLISECONDS), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        if (event instanceof IdleStateEvent) {
                            ctx.close();
                        } else {
                            ctx.fireUserEventTriggered(event);
                        }
                    }
                }, new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1024),
                new Handlers.Echo())))) {
            Differential.Outcome outcome = servers.exchangeAndWatch(5000, "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n",
                    "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(outcome.httpsys.serverClosed, "the idle keep-alive connection was closed");
        }
    }

    @Test
    void pipelinedRequestsWithBodiesAreAnsweredInOrder() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1 << 20),
                new Handlers.Echo())))) {
            Differential.Outcome outcome = servers.pipelined(
                    "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nfirst",
                    "POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nsecond\r\n0\r\n\r\n",
                    "GET /c HTTP/1.1\r\nHost: t\r\n\r\n",
                    "POST /d HTTP/1.1\r\nHost: t\r\nContent-Length: 30000\r\n\r\n" + Differential.repeat('d', 30000),
                    "POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: close\r\n\r\nlast");
            assertEquals(5, outcome.httpsys.exchanges.size());
            assertTrue(outcome.httpsys.finalResponse(4).bodyText().endsWith("body=last"));
        }
    }
}
