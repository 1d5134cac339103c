package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wire details one handler can produce: trailers, 204/304, big bodies, pipelining, request fields and targets. */
class WireDetailsDifferentialTest {
    private static Differential servers;

    /** Answers by path; every answer keeps the connection open. */
    private static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String uri = request.uri();
            if (uri.startsWith("/trailers")) {
                HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII)));
                LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("!", StandardCharsets.US_ASCII));
                last.trailingHeaders().set("X-Checksum", "abc123").add("X-Note", "one").add("X-Note", "two");
                ctx.writeAndFlush(last);
            } else if (uri.startsWith("/addresses")) {
                // What handlers log and filter by: the peer's address, and the local port being the server's.
                java.net.InetSocketAddress remote = (java.net.InetSocketAddress) ctx.channel().remoteAddress();
                java.net.InetSocketAddress local = (java.net.InetSocketAddress) ctx.channel().localAddress();
                java.net.InetSocketAddress server = (java.net.InetSocketAddress) ctx.channel().parent().localAddress();
                String text = "remote=" + remote.getAddress().getHostAddress() + " local="
                        + local.getAddress().getHostAddress() + " localPortIsServerPort=" + (local.getPort() == server.getPort())
                        + " remotePortSet=" + (remote.getPort() > 0) + " active=" + ctx.channel().isActive()
                        + " socketChannel=" + (ctx.channel() instanceof io.netty.channel.socket.SocketChannel);
                Handlers.respond(ctx, request, HttpResponseStatus.OK, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            } else if (uri.startsWith("/fields")) {
                FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("fields", StandardCharsets.US_ASCII));
                response.headers().add(HttpHeaderNames.SET_COOKIE, "a=1; Path=/").add(HttpHeaderNames.SET_COOKIE, "b=2")
                        .add(HttpHeaderNames.SET_COOKIE, "c=3; HttpOnly").add("X-Multi", "one").add("X-Multi", "two")
                        .add("X-Empty", "").add("X-Latin1", "caf\u00e9").add(HttpHeaderNames.CACHE_CONTROL, "no-store")
                        .add(HttpHeaderNames.LOCATION, "/elsewhere?x=1").add(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                        .add(HttpHeaderNames.VARY, "Accept-Encoding").add(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"t\"")
                        .add(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                HttpUtil.setContentLength(response, 6);
                ctx.writeAndFlush(response);
            } else if (uri.startsWith("/status")) {
                // Unusual statuses and reasons pass through as written.
                FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                        new HttpResponseStatus(299, "Custom Reason Phrase"), Unpooled.EMPTY_BUFFER);
                HttpUtil.setContentLength(response, 0);
                ctx.writeAndFlush(response);
            } else if (uri.startsWith("/204")) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.NO_CONTENT));
            } else if (uri.startsWith("/304")) {
                FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                        HttpResponseStatus.NOT_MODIFIED);
                response.headers().set(HttpHeaderNames.ETAG, "\"v1\"");
                ctx.writeAndFlush(response);
            } else if (uri.startsWith("/big")) {
                byte[] bytes = new byte[5 * 1024 * 1024];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) (i * 31);
                }
                // One bulk write: the PARANOID leak detector records every access to a tracked buffer.
                ByteBuf body = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
                FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK, body);
                HttpUtil.setContentLength(response, body.readableBytes());
                ctx.writeAndFlush(response);
            } else {
                // Every request field sorted by name (values in order), the raw target and the body.
                TreeMap<String, String> fields = new TreeMap<>();
                for (Map.Entry<String, String> field : request.headers()) {
                    fields.merge(field.getKey().toLowerCase(), field.getValue(), (a, b) -> a + " | " + b);
                }
                String text = request.method() + " " + uri + " " + request.protocolVersion() + "\n" + fields
                        + "\ntrailers=" + request.trailingHeaders().entries()
                        + "\nbody=" + request.content().toString(StandardCharsets.UTF_8);
                Handlers.respond(ctx, request, HttpResponseStatus.OK, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpContentDecompressor(0), new HttpObjectAggregator(1 << 20), new Router())));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void trailersOnAChunkedResponse() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /trailers HTTP/1.1\r\nHost: t\r\n\r\n",
                "HEAD /trailers HTTP/1.1\r\nHost: t\r\n\r\n", "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals("abc123", RawResponse.byName(outcome.httpsys.finalResponse(0).trailers).get("x-checksum").get(0));
    }

    @Test
    void noContentAndNotModified() throws Exception {
        servers.exchange("GET /204 HTTP/1.1\r\nHost: t\r\n\r\n", "GET /304 HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /after HTTP/1.1\r\nHost: t\r\n\r\n");
    }

    @Test
    void aLargeBufferBody() throws Exception {
        servers.exchange("GET /big HTTP/1.1\r\nHost: t\r\n\r\n", "GET /big HTTP/1.1\r\nHost: t\r\n\r\n");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        // Three requests in one write: the answers come back in request order on both.
        servers.exchange("GET /p1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /p3 HTTP/1.1\r\nHost: t\r\n\r\n", "", "");
    }

    @Test
    void requestFieldsAndTargetsReachTheHandlerUnchanged() throws Exception {
        servers.exchange("GET /a%20b/c?x=%41&y=1+2&z HTTP/1.1\r\nHost: example.test:8080\r\nAccept: text/html\r\n"
                        + "accept: application/json\r\nX-Custom: one\r\nX-CUSTOM: two\r\nCookie: a=1\r\nCookie: b=2\r\n"
                        + "User-Agent: differential/1.0\r\nX-Empty:\r\nX-Spaces:   padded value  \r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n",
                "DELETE /things/42 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
                "PATCH /things/42 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\": 1}\n");
    }

    @Test
    void gzipRequestBodyIsInflatedByTheDecompressor() throws Exception {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write("a body that was gzipped by the client".getBytes(StandardCharsets.US_ASCII));
        }
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /gz HTTP/1.1\r\nHost: t\r\nContent-Encoding: gzip\r\nContent-Length: " + compressed.size()
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(compressed.toByteArray());
        Differential.Outcome outcome = servers.exchange(request.toByteArray());
        assertTrue(outcome.httpsys.last().bodyText().contains("body=a body that was gzipped by the client"));
    }

    @Test
    void channelAddressesAsHandlersSeeThem() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /addresses HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals("remote=127.0.0.1 local=127.0.0.1 localPortIsServerPort=true remotePortSet=true active=true"
                + " socketChannel=true", outcome.httpsys.last().bodyText());
    }

    /** Over IPv6 loopback: both listen dual-stack on the wildcard (HTTP.SYS's "+" does). */
    @Test
    void ipv6Client() throws Exception {
        String nio = overIpv6(servers.nio);
        String httpsys = overIpv6(servers.httpsys);
        assertEquals(nio, httpsys);
        assertTrue(httpsys.startsWith("remote=0:0:0:0:0:0:0:1 local=0:0:0:0:0:0:0:1 "), httpsys);
    }

    private static String overIpv6(ServerUnderTest server) throws java.io.IOException {
        try (RawConnection connection = new RawConnection("::1", server.port)) {
            connection.send("GET /addresses HTTP/1.1\r\nHost: [::1]\r\n\r\n");
            return connection.read(false).bodyText();
        }
    }

    @Test
    void extensionMethodsAndAbsoluteTargets() throws Exception {
        servers.exchange("PROPFIND /dav HTTP/1.1\r\nHost: t\r\nDepth: 1\r\n\r\n", "PURGE /cache HTTP/1.1\r\nHost: t\r\n\r\n",
                "TRACE /t HTTP/1.1\r\nHost: t\r\n\r\n", "get /lower-case-method HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET http://example.test/absolute?q HTTP/1.1\r\nHost: example.test\r\n\r\n");
    }

    /** Documented difference: CONNECT (a proxy's method) is refused by the engine with 400; NIO passes it on. */
    @Test
    void connectIsRefusedByTheEngine() throws Exception {
        Differential.Outcome outcome = servers.observeBoth("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n");
        assertEquals(200, outcome.nio.last().status);
        assertEquals(400, outcome.httpsys.last().status);
    }

    /**
     * Documented difference: chunk extensions are dropped on both, but request trailers are
     * consumed by the engine (HTTP.SYS does not hand them over), so the request's LastHttpContent
     * carries none; NIO delivers them. The body is the same.
     */
    @Test
    void requestTrailersAreNotDelivered() throws Exception {
        Differential.Outcome outcome = servers.observeBoth("POST /te HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\n0\r\nX-Trailer: tv\r\n\r\n");
        assertTrue(outcome.nio.last().bodyText().contains("trailers=[X-Trailer=tv]"), outcome.nio.last().toString());
        assertTrue(outcome.httpsys.last().bodyText().contains("trailers=[]"), outcome.httpsys.last().toString());
        assertTrue(outcome.httpsys.last().bodyText().endsWith("body=abc"));
        assertTrue(outcome.nio.last().bodyText().endsWith("body=abc"));
    }

    /**
     * Documented difference, request framing is the engine's (RFC 9112 6.3): Content-Length with
     * Transfer-Encoding is refused (400, no smuggling); identical duplicate Content-Lengths are
     * one length (RFC 9110 8.6), which NIO's default decoder refuses (an empty, failed request).
     */
    @Test
    void ambiguousFramingIsTheEngines() throws Exception {
        Differential.Outcome both = servers.observeBoth("POST /both HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
        assertEquals(400, both.httpsys.last().status);
        assertTrue(both.httpsys.serverClosed);
        Differential.Outcome duplicate = servers.observeBoth("POST /dup HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                + "Content-Length: 3\r\n\r\nabc");
        assertTrue(duplicate.httpsys.last().bodyText().endsWith("body=abc"), duplicate.httpsys.last().toString());
        assertTrue(duplicate.nio.last().bodyText().endsWith("body="), duplicate.nio.last().toString());
    }

    @Test
    void responseFieldsAndStatusesPassThrough() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /fields HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /status HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(3, RawResponse.byName(outcome.httpsys.finalResponse(0).headers).get("set-cookie").size());
        assertEquals("Custom Reason Phrase", outcome.httpsys.finalResponse(1).reason);
    }
}
