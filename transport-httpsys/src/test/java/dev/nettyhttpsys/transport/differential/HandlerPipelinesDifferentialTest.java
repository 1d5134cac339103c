package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.codec.http.cors.CorsHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Netty's stock HTTP handlers, each in the pipeline a user would build, on both transports. */
class HandlerPipelinesDifferentialTest {
    private static final String BIG_TEXT;

    static {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 200_000; i++) {
            text.append("line ").append(i).append(" of a compressible body\n");
        }
        BIG_TEXT = text.toString();
    }

    /** Streams a head and three parts without a length: the pipeline decides the framing. */
    private static final class Streamer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            ctx.write(head);
            for (int i = 0; i < 3; i++) {
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part" + i + ";", StandardCharsets.US_ASCII)));
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    @Test
    void keepAliveHandlerKeepsAndClosesAsNettyDoes() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1024),
                new Handlers.Plain("kept"))))) {
            servers.exchange("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n", "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(servers.exchange("GET /3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").httpsys.serverClosed);
            assertTrue(servers.exchange("GET /4 HTTP/1.0\r\n\r\n").httpsys.serverClosed);
            // The handler does not answer keep-alive in HTTP/1.0 terms, so Netty closes: so must the engine.
            assertTrue(servers.exchange("GET /5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").httpsys.serverClosed);
        }
    }

    /**
     * Documented difference: a streamed HTTP/1.1 response without Content-Length is chunked by
     * this transport (HTTP.SYS leaves framing to the sender, and chunking keeps the connection
     * reusable); Netty's encoder sends it close-delimited. HttpServerKeepAliveHandler marks it
     * {@code Connection: close} on both, both close, and the bodies are the same. Over HTTP/1.0
     * the one flush is one send, which the engine gives a Content-Length.
     */
    @Test
    void streamedResponseWithoutLength() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1024),
                new Streamer())))) {
            Differential.Outcome outcome = servers.observeBoth("GET /s HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse nio = outcome.nio.last();
            RawResponse httpsys = outcome.httpsys.last();
            assertEquals(RawResponse.Framing.CLOSE, nio.framing);
            assertEquals(RawResponse.Framing.CHUNKED, httpsys.framing);
            assertEquals("close", nio.header("connection"));
            assertEquals("close", httpsys.header("connection"));
            assertEquals("part0;part1;part2;", nio.bodyText());
            assertEquals(nio.bodyText(), httpsys.bodyText());
            assertTrue(outcome.nio.serverClosed);
            assertTrue(outcome.httpsys.serverClosed);
            // HTTP/1.0 cannot take chunks: close-delimited on NIO. The handler flushes once, so the
            // whole response is one send, and the engine gives it its length, as HTTP.SYS does for a
            // response sent in one call; both close.
            Differential.Outcome http10 = servers.observeBoth("GET /s HTTP/1.0\r\n\r\n");
            assertEquals(RawResponse.Framing.CLOSE, http10.nio.last().framing);
            assertEquals(RawResponse.Framing.LENGTH, http10.httpsys.last().framing);
            assertEquals("18", http10.httpsys.last().header("content-length"));
            assertEquals(http10.nio.last().bodyText(), http10.httpsys.last().bodyText());
            assertTrue(http10.nio.serverClosed);
            assertTrue(http10.httpsys.serverClosed);
        }
    }

    @Test
    void contentCompressorNegotiates() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpContentCompressor(), new HttpObjectAggregator(1024),
                new Handlers.Plain(BIG_TEXT))))) {
            Differential.Outcome gzip = servers.exchange("GET /g HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n",
                    "GET /d HTTP/1.1\r\nHost: t\r\nAccept-Encoding: deflate\r\n\r\n",
                    "GET /i HTTP/1.1\r\nHost: t\r\n\r\n",
                    "HEAD /h HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate\r\n\r\n");
            assertEquals("gzip", gzip.httpsys.finalResponse(0).header("content-encoding"));
            assertEquals("deflate", gzip.httpsys.finalResponse(1).header("content-encoding"));
            assertNull(gzip.httpsys.finalResponse(2).header("content-encoding"));
            assertEquals(BIG_TEXT, gzip.httpsys.finalResponse(2).bodyText());
            assertTrue(gzip.httpsys.finalResponse(0).body.length < BIG_TEXT.length() / 4);
        }
    }

    @Test
    void expectContinueHandlerAcceptsAndRejects() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpServerExpectContinueHandler() {
                    @Override
                    protected HttpResponse acceptMessage(HttpRequest request) {
                        if (request.uri().startsWith("/deny")) {
                            return null;
                        }
                        return super.acceptMessage(request);
                    }
                }, new HttpObjectAggregator(1024), new Handlers.Echo())))) {
            Differential.Outcome accepted = servers.expectContinue(
                    "POST /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", "hello");
            assertEquals(100, accepted.httpsys.exchanges.get(0).get(0).status);
            assertEquals(200, accepted.httpsys.last().status);
            Differential.Outcome denied = servers.observeExpectContinue(
                    "POST /deny HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", "hello");
            // 417 on both; the engine closes the connection (the body may still come), as for the aggregator's 413.
            assertEquals(417, denied.nio.last().status);
            assertEquals(417, denied.httpsys.last().status);
            assertEquals(denied.nio.last().header("content-length"), denied.httpsys.last().header("content-length"));
            assertTrue(denied.httpsys.serverClosed);
        }
    }

    @Test
    void corsPreflightAndSimpleRequests() throws Exception {
        CorsConfig config = CorsConfigBuilder.forOrigin("http://allowed.example")
                .allowedRequestMethods(HttpMethod.GET, HttpMethod.PUT).allowedRequestHeaders("X-Custom")
                .exposeHeaders("X-Exposed").maxAge(600).allowCredentials().build();
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1024), new CorsHandler(config),
                new Handlers.Echo())))) {
            Differential.Outcome outcome = servers.exchange(
                    "OPTIONS /r HTTP/1.1\r\nHost: t\r\nOrigin: http://allowed.example\r\n"
                            + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: X-Custom\r\n\r\n",
                    "GET /r HTTP/1.1\r\nHost: t\r\nOrigin: http://allowed.example\r\n\r\n",
                    "GET /r HTTP/1.1\r\nHost: t\r\nOrigin: http://evil.example\r\n\r\n");
            assertEquals("http://allowed.example",
                    outcome.httpsys.finalResponse(0).header("access-control-allow-origin"));
            assertNull(outcome.httpsys.finalResponse(2).header("access-control-allow-origin"));
        }
    }

    /**
     * Documented difference: a whole response without Content-Length gets one from this
     * transport (HTTP.SYS computes it for a single-call response too), where Netty's encoder
     * sends it close-delimited. Status, other fields and body are the same, and both close.
     */
    @Test
    void wholeResponseWithoutLengthGetsOne() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1024),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
                        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.NOT_FOUND, Unpooled.copiedBuffer("gone", StandardCharsets.US_ASCII)))
                                .addListener(ChannelFutureListener.CLOSE);
                    }
                })))) {
            Differential.Outcome outcome = servers.observeBoth("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse nio = outcome.nio.last();
            RawResponse httpsys = outcome.httpsys.last();
            assertEquals(404, httpsys.status);
            assertEquals(RawResponse.Framing.CLOSE, nio.framing);
            assertEquals(RawResponse.Framing.LENGTH, httpsys.framing);
            assertEquals("4", httpsys.header("content-length"));
            assertEquals("gone", nio.bodyText());
            assertEquals("gone", httpsys.bodyText());
            assertTrue(outcome.nio.serverClosed);
        }
    }

    @Test
    void separateDecoderAndEncoder() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new io.netty.handler.codec.http.HttpRequestDecoder(), new io.netty.handler.codec.http.HttpResponseEncoder(),
                new HttpObjectAggregator(1024), new Handlers.Echo())))) {
            servers.exchange("GET /split HTTP/1.1\r\nHost: t\r\n\r\n",
                    "POST /split HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok");
        }
    }

    /** The bootstrap options Netty's examples set are accepted by both transports, without warnings. */
    @Test
    void usualBootstrapOptionsAreAccepted() throws Exception {
        java.util.List<String> warnings = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    warnings.add(record.getLoggerName() + ": " + record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger bootstrapLog = java.util.logging.Logger.getLogger("io.netty.bootstrap");
        bootstrapLog.addHandler(capture);
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1024), new Handlers.Echo())),
                b -> b.option(io.netty.channel.ChannelOption.SO_BACKLOG, 1024)
                        .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
                        .handler(new io.netty.handler.logging.LoggingHandler(io.netty.handler.logging.LogLevel.DEBUG))
                        .childOption(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                        .childOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, true)
                        .childOption(io.netty.channel.ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                        .childOption(io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new io.netty.channel.WriteBufferWaterMark(32 * 1024, 64 * 1024)))) {
            servers.exchange("GET /options HTTP/1.1\r\nHost: t\r\n\r\n");
        } finally {
            bootstrapLog.removeHandler(capture);
        }
        assertTrue(warnings.isEmpty(), warnings::toString);
    }

    /** An initializer that throws: Netty closes the channel, so the client gets no answer on both, and the server lives on. */
    @Test
    void failingInitializerClosesWithoutAnswer() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> {
            throw new IllegalStateException("initializer bug");
        }))) {
            for (ServerUnderTest server : List.of(servers.nio, servers.httpsys)) {
                for (int i = 0; i < 2; i++) {
                    try (RawConnection connection = new RawConnection(server.port)) {
                        connection.send("GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
                        Differential.assertClosedWithoutResponse(connection.readUntilClosed(), server.toString());
                    }
                }
                assertTrue(server.channel().isActive());
            }
        }
    }

    /** A handler on its own executor group (for blocking work), as many applications add it. */
    @Test
    void handlerOnABusinessExecutorGroup() throws Exception {
        io.netty.util.concurrent.DefaultEventExecutorGroup business = new io.netty.util.concurrent.DefaultEventExecutorGroup(2);
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1 << 16)).addLast(business, new Handlers.Echo())))) {
            servers.exchange("GET /biz HTTP/1.1\r\nHost: t\r\n\r\n",
                    "POST /biz HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + Differential.repeat('b', 5000),
                    "GET /biz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        } finally {
            business.shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Documented difference: a client's {@code Connection: close} is honoured by the engine even
     * when the pipeline ignores it (HTTP.SYS owns the connection): the answer says
     * {@code Connection: close} and the connection ends. NIO leaves that to the pipeline, which
     * here keeps the connection open.
     */
    @Test
    void clientConnectionCloseIsHonouredEvenIfThePipelineIgnoresIt() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(1024), new Handlers.Plain("ignored"))))) {
            String request = "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
            Differential.Outcome outcome = servers.observeBoth("GET /first HTTP/1.1\r\nHost: t\r\n\r\n", request);
            assertNull(outcome.nio.last().header("connection"));
            assertEquals("close", outcome.httpsys.last().header("connection"));
            assertEquals(outcome.nio.last().bodyText(), outcome.httpsys.last().bodyText());
            try (RawConnection connection = new RawConnection(servers.httpsys.port)) {
                connection.send(request);
                connection.read(false);
                assertTrue(connection.awaitServerClose());
            }
        }
    }

    /**
     * An answer before a large upload was read (401 at the head): the client, still sending,
     * gets the answer on both. This transport then ends the connection gracefully (it drains the
     * rest rather than reset it, which could destroy the answer in flight).
     */
    @Test
    void earlyAnswerToALargeUploadArrives() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new SimpleChannelInboundHandler<io.netty.handler.codec.http.HttpObject>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpObject msg) {
                        if (msg instanceof io.netty.handler.codec.http.HttpRequest) {
                            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                    HttpResponseStatus.UNAUTHORIZED, Unpooled.copiedBuffer("who are you?", StandardCharsets.US_ASCII));
                            HttpUtil.setContentLength(response, response.content().readableBytes());
                            ctx.writeAndFlush(response);
                        }
                    }
                })))) {
            for (ServerUnderTest server : List.of(servers.nio, servers.httpsys)) {
                int size = 10 * 1024 * 1024;
                try (RawConnection connection = new RawConnection(server.port)) {
                    connection.send("PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n");
                    java.util.concurrent.CompletableFuture<Void> upload = java.util.concurrent.CompletableFuture.runAsync(() -> {
                        try {
                            byte[] chunk = new byte[64 * 1024];
                            for (int sent = 0; sent < size; sent += chunk.length) {
                                connection.send(chunk);
                            }
                        } catch (java.io.IOException e) {
                            // the server may stop reading once it answered: the answer is what counts
                        }
                    });
                    RawResponse answer = connection.read(false);
                    assertEquals(401, answer.status, server.toString());
                    assertEquals("who are you?", answer.bodyText());
                    upload.get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        }
    }
}
