package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idle and read timeouts on a client that stalls in the middle of a request body. On this
 * transport the handlers sit on the request's channel, so they time the request (its body
 * reads), which is when NIO's connection-wide timers fire too. They cannot see an idle
 * keep-alive connection between requests (no request, no channel): HTTP.SYS's own
 * IDLE_CONNECTION_TIMEOUT covers that.
 */
class TimeoutDifferentialTest {
    private static final String STALLED = "POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789";

    /** Answers 408 and closes when the reader has been idle. */
    private static final class RequestTimeout extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.copiedBuffer("too slow", StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, 8);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }

    @Test
    void idleStateHandlerFiresWhileTheBodyStalls() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new IdleStateHandler(1, 0, 0), new RequestTimeout(),
                new HttpObjectAggregator(1024), new Handlers.Echo())))) {
            Differential.Outcome outcome = servers.exchange(STALLED);
            assertEquals(408, outcome.httpsys.last().status);
            assertTrue(outcome.httpsys.serverClosed);
        }
    }

    /**
     * ReadTimeoutHandler fires ReadTimeoutException and closes. On NIO nothing handles the
     * exception and the connection just ends. Documented difference: on this transport an
     * exception that reaches the end of the pipeline before any response answers 500 (so no
     * client is left without an answer); the connection ends the same way.
     */
    @Test
    void readTimeoutHandlerEndsAStalledRequest() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new ReadTimeoutHandler(1), new HttpObjectAggregator(1024),
                new Handlers.Echo())))) {
            byte[] nio = stall(servers.nio);
            byte[] httpsys = stall(servers.httpsys);
            assertEquals(0, nio.length, () -> "NIO answered " + new String(nio, StandardCharsets.ISO_8859_1));
            String answer = new String(httpsys, StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 500 "), answer);
            assertTrue(answer.contains("Connection: close"), answer);
        }
    }

    private static byte[] stall(ServerUnderTest server) throws IOException {
        try (RawConnection connection = new RawConnection(server.port)) {
            connection.send(STALLED);
            return connection.readUntilClosed();
        }
    }
}
