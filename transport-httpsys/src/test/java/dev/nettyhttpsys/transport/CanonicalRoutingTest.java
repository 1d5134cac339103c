package dev.nettyhttpsys.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two server channels share one port by URL prefix ({@code /app1/}, {@code /app2/}): a request
 * reaches the application its canonical path names (dot segments, '\', repeated slashes and
 * escaped unreserved characters resolved as HTTP.SYS resolves them), and the handler's
 * {@code uri()}, decoded, names the same place; a path without a canonical form is refused 400
 * before any handler runs. Only ServerBootstrap and the public API.
 */
class CanonicalRoutingTest {
    private static EventLoopGroup group;
    private static Channel app1;
    private static Channel app2;
    private static int port;
    private static final AtomicInteger HANDLED = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        port = TestServer.freePort();
        app1 = bind("app1");
        app2 = bind("app2");
    }

    @AfterAll
    static void stop() {
        app1.close().syncUninterruptibly();
        app2.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A server channel on http://127.0.0.1:port/name/ whose handler answers "name uri". */
    private static Channel bind(String name) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(HttpSysServerChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        HANDLED.incrementAndGet();
                                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.copiedBuffer(name + " " + request.uri(),
                                                StandardCharsets.ISO_8859_1));
                                        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                                        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                                    }
                                });
                    }
                })
                .bind(new HttpSysServerAddress("http://127.0.0.1:" + port + "/" + name + "/")).sync().channel();
    }

    /** Sends one request with this target and returns everything the server sent until it closed. */
    private static String exchange(String target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            in.transferTo(received);
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @ParameterizedTest(name = "{0} -> {1} sees {2}")
    @CsvSource(delimiter = '|', value = {
        "/app1/../app2/x          | app2 | /app2/x",
        "/app1/%2e%2E/app2/x      | app2 | /app2/x",
        "/app1/..%5capp2/x        | app2 | /app2/x",
        "/app1/..\\app2/x         | app2 | /app2/x",
        "//app2//x                | app2 | /app2/x",
        "/APP2/./x                | app2 | /APP2/x",
        "/%61pp2/%7Ex?q=%2F       | app2 | /app2/~x?q=%2F",
        "/app2/%3f%20x            | app2 | /app2/%3F%20x",
        "/app1/x/..               | app1 | /app1/",
        "/app1/SubDir1\\SubDir2/../../SubDir5 | app1 | /app1/SubDir5",
        "/app2/plain?a=..         | app2 | /app2/plain?a=..",
    })
    void theHandlerThePathNamesRunsAndItsUriNamesTheSamePlace(String target, String app, String uri)
            throws Exception {
        String response = exchange(target);
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertEquals(app + " " + uri, body(response));
        // What a handler that decodes its URI routes on is the prefix the engine routed on.
        String decodedPath = URI.create(uri).getPath().toLowerCase(Locale.ROOT);
        assertTrue(decodedPath.startsWith("/" + app + "/"), decodedPath);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/app1/../app2/x", "/app1/%2e%2e/app2/x"})
    void anAbsoluteFormTargetKeepsItsAuthorityWithTheCanonicalPath(String path) throws Exception {
        String base = "http://127.0.0.1:" + port;
        String response = exchange(base + path);
        assertEquals("app2 " + base + "/app2/x", body(response));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../app1/x", "/app1/../../app2/x", "/app1%2F..%2Fapp2/x", "/app1/a%00b", "/app1/%zz"})
    void aPathWithoutACanonicalFormIsRefusedBeforeAnyHandler(String target) throws Exception {
        int handledBefore = HANDLED.get();
        String response = exchange(target);
        assertTrue(response.startsWith("HTTP/1.1 400 "), response);
        assertEquals(handledBefore, HANDLED.get(), "no handler ran");
    }
}
