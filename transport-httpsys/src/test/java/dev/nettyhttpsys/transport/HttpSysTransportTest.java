package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The walking skeleton end to end: a real JDK HttpClient against a real server on this transport. */
class HttpSysTransportTest {
    private final Set<Long> connectionIds = ConcurrentHashMap.newKeySet();
    private final List<String> headerNames = new CopyOnWriteArrayList<>();
    private TestServer server;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** Echoes method, URI, a header and the body, and records the request's connection id. */
    private final class EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            connectionIds.add(((HttpSysChannel) ctx.channel()).connectionId());
            headerNames.clear();
            request.headers().forEach(header -> headerNames.add(header.getKey()));
            String text = request.method() + " " + request.uri() + " x-test=" + request.headers().get("X-Test")
                    + " body=" + request.content().toString(StandardCharsets.UTF_8);
            ByteBuf content = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().set("X-Served-By", "httpsys");
            ctx.writeAndFlush(response);
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        server = TestServer.start(1, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(1 << 20), new EchoHandler()));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void getIsAnswered() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.url("/hello?x=1")))
                .header("X-Test", "abc").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("GET /hello?x=1 x-test=abc body=", response.body());
        assertEquals("httpsys", response.headers().firstValue("x-served-by").orElse(null));
        assertTrue(response.headers().firstValue("date").isPresent(), "the engine adds Date");
    }

    @Test
    void postBodyReachesTheHandler() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            body.append(i).append(',');
        }
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.url("/upload")))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("POST /upload x-test=null body=" + body, response.body());
    }

    @Test
    void keepAliveReusesTheConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.url("/r" + i)))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("GET /r" + i + " x-test=null body=", response.body());
        }
        assertEquals(1, connectionIds.size(), "five sequential requests on one kept-alive connection: " + connectionIds);
    }

    @Test
    void headerNamesReachThePipelineAsSentOrCanonical() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET /names HTTP/1.1\r\nhost: t\r\nuser-agent: raw\r\n"
                    + "x-MiXeD-Case: 1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith(
                    "HTTP/1.1 200"));
        }
        // Unknown names as the client wrote them; HTTP.SYS's known ones in their canonical form (the
        // aggregator adds its content-length after them).
        assertEquals(List.of("Host", "User-Agent", "x-MiXeD-Case", "Connection"), headerNames.subList(0, 4));
    }

    @Test
    void bindingPortZeroPicksAFreePortAsNioDoes() throws Exception {
        try (TestServer zero = TestServer.startOnPort(0, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(1024), new EchoHandler()))) {
            int port = zero.port;
            assertTrue(port > 0, "localAddress() reports the port that was chosen: " + port);
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/zero")).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("GET /zero x-test=null body=", response.body());
        }
    }

    @Test
    void bindingOneAddressListensThereOnly() throws Exception {
        try (TestServer loopbackOnly = TestServer.startOn(new InetSocketAddress("127.0.0.1", 0),
                ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), new EchoHandler()))) {
            assertEquals("127.0.0.1", loopbackOnly.channel.localAddress() instanceof InetSocketAddress
                    ? ((InetSocketAddress) loopbackOnly.channel.localAddress()).getAddress().getHostAddress() : null);
            assertEquals("GET /one x-test=null body=", client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + loopbackOnly.port + "/one")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            // 127.0.0.2 is loopback too, but not the address bound.
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.2", loopbackOnly.port).close());
        }
        // bind(port) listens on every address, as a socket bound to the wildcard does.
        try (Socket other = new Socket("127.0.0.2", server.port)) {
            assertTrue(other.isConnected());
        }
    }

    @Test
    void engineStatsCountWhatTheLoopHolds() throws Exception {
        HttpSysServerChannel channel = (HttpSysServerChannel) server.channel;
        try (Socket socket = new Socket("127.0.0.1", server.port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET /s HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().read(new byte[4096]);
            HttpSysEngineStats open = channel.engineStats().get(5, TimeUnit.SECONDS);
            assertEquals(1, open.openConnections(), open.toString());
            assertEquals(0, open.liveRequests(), "answered: " + open);
            assertTrue(open.recordArenaBytes() > 0, open.toString());
            assertEquals(0, open.receiveBuffers(), "an idle keep-alive connection holds no receive buffer: " + open);
            assertEquals(0, open.requestSlots(), "an idle keep-alive connection holds no request slot: " + open);
            assertEquals(0, open.outputQueues(), "an idle keep-alive connection holds no output storage: " + open);
            assertEquals(0, open.connectionWork(), "an idle keep-alive connection holds no work state: " + open);
        }
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);;) {
            HttpSysEngineStats closed = channel.engineStats().get(5, TimeUnit.SECONDS);
            if (closed.openConnections() == 0) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "the closed connection is still counted: " + closed);
            Thread.sleep(10);
        }
    }

    @Test
    void optionsAreReadable() {
        Map<io.netty.channel.ChannelOption<?>, Object> options = server.channel.config().getOptions();
        assertEquals(ServerSettings.DEFAULT_QUEUE_LENGTH,
                options.get(HttpSysChannelOption.REQUEST_QUEUE_LENGTH));
        assertEquals(ServerSettings.DEFAULT_PENDING_RECEIVES,
                options.get(HttpSysChannelOption.PENDING_RECEIVES));
    }
}
