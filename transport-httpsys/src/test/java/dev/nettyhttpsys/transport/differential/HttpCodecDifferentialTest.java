package dev.nettyhttpsys.transport.differential;

import dev.nettyhttpsys.transport.HttpSysChannelOption;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HttpServerCodec + HttpObjectAggregator + a handler in the style of Netty's examples. */
class HttpCodecDifferentialTest {
    private static Differential servers;

    @BeforeAll
    static void start() throws Exception {
        servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(100), new Handlers.Echo())));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void get() throws Exception {
        servers.exchange("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\nX-Test: abc\r\n\r\n");
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /a HTTP/1.1\r\nHost: t\r\n\r\n",
                "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", "GET /c HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(3, outcome.httpsys.exchanges.size());
    }

    @Test
    void postWithLengthAndChunkedBodies() throws Exception {
        servers.exchange("POST /len HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world",
                "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    }

    @Test
    void head() throws Exception {
        servers.exchange("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n", "GET /after-head HTTP/1.1\r\nHost: t\r\n\r\n");
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertTrue(outcome.httpsys.serverClosed);
    }

    @Test
    void http10ClosesByDefault() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /old HTTP/1.0\r\n\r\n");
        assertTrue(outcome.httpsys.serverClosed);
    }

    @Test
    void http10KeepAlive() throws Exception {
        servers.exchange("GET /ka1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                "GET /ka2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    }

    @Test
    void aggregatorAnswers413ForABodyOverItsLimit() throws Exception {
        Differential.Outcome outcome = servers.exchange("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"
                + Differential.repeat('x', 1000));
        assertEquals(413, outcome.httpsys.last().status);
    }

    /**
     * Documented difference: a final answer to {@code Expect: 100-continue} means the body will
     * not come, but HTTP.SYS cannot know whether the client sends it anyway, so it closes the
     * connection after the answer (adding {@code Connection: close}); NIO keeps it open.
     * Everything else of the answer is the same.
     */
    @Test
    void aggregatorAnswers413ForAnOversizedExpectContinue() throws Exception {
        Differential.Outcome outcome = servers.observeExpectContinue(
                "POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n",
                Differential.repeat('x', 1000));
        RawResponse nio = outcome.nio.last();
        RawResponse httpsys = outcome.httpsys.last();
        assertEquals(413, nio.status);
        assertEquals(413, httpsys.status);
        assertNull(nio.header("connection"));
        assertEquals("close", httpsys.header("connection"));
        assertEquals(nio.header("content-length"), httpsys.header("content-length"));
        assertTrue(outcome.httpsys.serverClosed);
    }

    @Test
    void aggregatorSendsContinueThenTheResponse() throws Exception {
        Differential.Outcome outcome = servers.expectContinue(
                "POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", "hello");
        assertEquals(2, outcome.httpsys.exchanges.get(0).size(), "100 Continue, then 200");
    }

    /**
     * Documented difference: HTTP.SYS sends {@code 100 Continue} itself, and only while the body
     * is still to come; a client that sent the body with the head gets no interim response (the
     * aggregator's 100 is dropped), where NIO's aggregator answers 100 anyway.
     */
    @Test
    void noContinueWhenTheBodyCameWithTheHead() throws Exception {
        Differential.Outcome outcome = servers.observeBoth(
                "POST /eager HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
        assertEquals(100, outcome.nio.exchanges.get(0).get(0).status);
        assertEquals(1, outcome.httpsys.exchanges.get(0).size());
        Differential.assertSameResponse(false, outcome.nio.last(), outcome.httpsys.last());
    }

    /**
     * Documented difference: the engine's strict parser answers a malformed request itself (400,
     * its own HTML page, then closes), so the pipeline never sees it; on NIO, HttpServerCodec
     * hands the handler a request whose decoder result is a failure.
     */
    @Test
    void malformedRequestIsAnsweredByTheEngine() throws Exception {
        Differential.Outcome outcome = servers.observeBoth("POST /bad HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n");
        assertEquals(400, outcome.httpsys.last().status);
        assertEquals("close", outcome.httpsys.last().header("connection"));
        assertTrue(outcome.httpsys.serverClosed);
        assertTrue(outcome.nio.last().bodyText().contains("decoder=failure"), outcome.nio.last().toString());
    }

    /** A chunked body that outgrows the aggregator: 413 mid-body, then both close. */
    @Test
    void aggregatorAnswers413ForAChunkedBodyOverItsLimit() throws Exception {
        StringBuilder request = new StringBuilder("POST /chunks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 20; i++) {
            request.append("10\r\n").append(Differential.repeat('c', 16)).append("\r\n");
        }
        request.append("0\r\n\r\n");
        Differential.Outcome outcome = servers.exchange(request.toString());
        assertEquals(413, outcome.httpsys.last().status);
        assertTrue(outcome.httpsys.serverClosed);
    }

    /**
     * Documented difference: with {@code MAX_REQUEST_BODY_SIZE} the engine itself refuses a body
     * over the limit (413, its own page, then closes) before the pipeline sees the request; NIO's
     * aggregator with the same limit answers 413 from the pipeline.
     */
    @Test
    void engineBodyLimitAnswers413ItselfLikeTheAggregator() throws Exception {
        try (Differential limited = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(100), new Handlers.Echo())), b -> { },
                b -> b.option(HttpSysChannelOption.MAX_REQUEST_BODY_SIZE, 100L))) {
            Differential.Outcome outcome = limited.observeBoth("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n"
                    + Differential.repeat('x', 1000));
            assertEquals(413, outcome.nio.last().status);
            assertEquals(413, outcome.httpsys.last().status);
            assertTrue(outcome.httpsys.last().bodyText().contains("HTTP Error 413"), outcome.httpsys.last().toString());
            assertTrue(outcome.httpsys.serverClosed);
            // Under the limit both serve the request as usual.
            limited.exchange("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + Differential.repeat('y', 100));
        }
    }

    /**
     * Documented difference: an HTTP/1.1 request without Host is refused by the engine (400, as
     * RFC 9112 3.2 and HTTP.SYS require); NIO's HttpServerCodec lets it through.
     */
    @Test
    void http11WithoutHostIsRefusedByTheEngine() throws Exception {
        Differential.Outcome outcome = servers.observeBoth("GET /nohost HTTP/1.1\r\n\r\n");
        assertEquals(200, outcome.nio.last().status);
        assertEquals(400, outcome.httpsys.last().status);
        assertTrue(outcome.httpsys.serverClosed);
    }

    /**
     * Documented difference: header size limits are the engine's, not HttpServerCodec's (its
     * decoder never parses here): within Netty's default 8 KB both serve; a 20 KB field is a
     * decoder failure on NIO but served here; far beyond, the engine answers 431 itself.
     */
    @Test
    void headerSizeLimitsAreTheEngines() throws Exception {
        servers.exchange("GET /h HTTP/1.1\r\nHost: t\r\nX-Test: " + Differential.repeat('h', 7000) + "\r\n\r\n");
        Differential.Outcome large = servers.observeBoth("GET /h HTTP/1.1\r\nHost: t\r\nX-Test: "
                + Differential.repeat('h', 20_000) + "\r\n\r\n");
        assertTrue(large.nio.last().bodyText().contains("TooLongHttpHeaderException"), large.nio.last().toString());
        assertTrue(large.httpsys.last().bodyText().contains("x-test=hhhh"), large.httpsys.last().toString());
        Differential.Outcome huge = servers.observeBoth("GET /h HTTP/1.1\r\nHost: t\r\nX-Test: "
                + Differential.repeat('h', 70_000) + "\r\n\r\n");
        assertEquals(431, huge.httpsys.last().status);
        assertTrue(huge.httpsys.serverClosed);
    }

    /**
     * A handler instance belongs to the connection, as over a socket: it counts the requests of
     * its keep-alive connection (Netty's examples and frameworks keep such state per channel).
     */
    @Test
    void handlerStateLivesPerConnection() throws Exception {
        try (Differential counting = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(100), new Counter())))) {
            Differential.Outcome outcome = counting.exchange("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n",
                    "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n", "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("request 3 on this channel", outcome.httpsys.finalResponse(2).bodyText());
        }
    }
    /** Counts the requests its channel carried. */
    private static final class Counter extends SimpleChannelInboundHandler<FullHttpRequest> {
        private int count;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            count++;
            Handlers.respond(ctx, request, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("request " + count + " on this channel",
                            StandardCharsets.US_ASCII));
        }
    }
}
