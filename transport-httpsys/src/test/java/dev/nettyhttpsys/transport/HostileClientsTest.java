package dev.nettyhttpsys.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow and hostile clients against a server with short engine timeouts, while a well-behaved
 * client keeps asking: the engine cuts each bad client off as HTTP.SYS would (408, a failed body
 * read, a reset for a reader below the minimum send rate, 503 past the connection limit), and the
 * good client is answered throughout. Every case is bounded in count and time.
 */
class HostileClientsTest {
    private static final int TIMEOUT_SECONDS = 2;
    private static final int BIG_RESPONSE = 32 << 20;

    private EventLoopGroup group;
    private Channel server;
    private int port;
    private final AtomicReference<Throwable> bodyFailure = new AtomicReference<>();
    private final CompletableFuture<Void> bigResponseChannelInactive = new CompletableFuture<>();

    /** Answers /hello, aggregates uploads, and sends 32 MB for /big. */
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean big = request.uri().equals("/big");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    big ? ctx.alloc().directBuffer(BIG_RESPONSE).writeZero(BIG_RESPONSE)
                            : Unpooled.copiedBuffer("hi " + request.content().readableBytes(), StandardCharsets.US_ASCII));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (big) {
                ctx.channel().closeFuture().addListener(f -> bigResponseChannelInactive.complete(null));
            }
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            bodyFailure.compareAndSet(null, cause);
            ctx.close();
        }
    }

    private void start(int maxConnections) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(HttpSysServerChannel.class)
                .option(HttpSysChannelOption.HEADER_WAIT_TIMEOUT, TIMEOUT_SECONDS)
                .option(HttpSysChannelOption.ENTITY_BODY_TIMEOUT, TIMEOUT_SECONDS)
                .option(HttpSysChannelOption.MIN_SEND_RATE, 50_000_000)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                });
        if (maxConnections > 0) {
            bootstrap.option(HttpSysChannelOption.MAX_CONNECTIONS, maxConnections);
        }
        server = bootstrap.bind(0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Asks /hello every few milliseconds until stopped; counts the answers and the failures. */
    private final class GoodClient implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answered = new AtomicInteger();
        private final List<String> failures = new ArrayList<>();
        private final Thread thread = new Thread(this::run, "good-client");
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();

        GoodClient() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                try {
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/hello")).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        answered.incrementAndGet();
                    } else {
                        failures.add("status " + response.statusCode());
                    }
                    Thread.sleep(5);
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e.toString());
                    }
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            synchronized (failures) {
                assertTrue(failures.isEmpty(), "the good client failed meanwhile: " + failures);
            }
            assertTrue(answered.get() > 0, "the good client was answered");
        }
    }

    private static String readAll(Socket socket) throws IOException {
        StringBuilder text = new StringBuilder();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) > 0;) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketException e) {
            text.append("<reset>");
        }
        return text.toString();
    }

    @Test
    void slowlorisHeadsGet408AfterTheHeaderWaitTimeout() throws Exception {
        start(0);
        try (GoodClient good = new GoodClient()) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.setSoTimeout((TIMEOUT_SECONDS + 8) * 1000);
                    socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    slow.add(socket);
                }
                for (int second = 0; second < TIMEOUT_SECONDS / 2; second++) {  // a byte now and then, never the end
                    Thread.sleep(500);
                    for (Socket socket : slow) {
                        socket.getOutputStream().write('a');
                    }
                }
                for (Socket socket : slow) {
                    String answer = readAll(socket);
                    assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
                }
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aBodyThatStopsArrivingFailsTheReadAfterTheEntityBodyTimeout() throws Exception {
        start(0);
        try (GoodClient good = new GoodClient(); Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((TIMEOUT_SECONDS + 8) * 1000);
            socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
                    + "x".repeat(20000)).getBytes(StandardCharsets.US_ASCII));
            String seen = readAll(socket);  // the engine resets the connection; nothing was answered
            assertTrue(seen.isEmpty() || seen.equals("<reset>"), seen);
        }
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); bodyFailure.get() == null;) {
            assertTrue(System.nanoTime() < deadline, "the handler never heard of the failed body");
            Thread.sleep(10);
        }
        assertTrue(bodyFailure.get().getMessage().contains("reading the request body"), bodyFailure.get().toString());
    }

    @Test
    void aClientThatNeverReadsIsCutOffByTheMinimumSendRate() throws Exception {
        start(0);
        try (GoodClient good = new GoodClient(); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // It reads nothing: the server's output backs up until the engine gives up on it.
            bigResponseChannelInactive.get(TIMEOUT_SECONDS + 10, TimeUnit.SECONDS);
        }
    }

    @Test
    void idleConnectionsWithinTheLimitAreKeptAndOneMoreGets503() throws Exception {
        int limit = 1500;
        start(limit);
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < limit; i++) {
                idle.add(new Socket("127.0.0.1", port));
            }
            try (Socket beyond = new Socket("127.0.0.1", port)) {
                beyond.setSoTimeout(10_000);
                beyond.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(beyond);
                assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
            }
            // Every idle connection is still served when it finally asks.
            for (Socket socket : idle.subList(0, 20)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(readAll(socket).startsWith("HTTP/1.1 200"));
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    void aFloodOfNewConnectionsDoesNotStarveOtherClients() throws Exception {
        start(0);
        AtomicInteger opened = new AtomicInteger();
        ExecutorService flooders = Executors.newFixedThreadPool(4);
        try (GoodClient good = new GoodClient()) {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(flooders.submit(() -> {
                    for (int i = 0; i < 750; i++) {
                        try (Socket socket = new Socket("127.0.0.1", port)) {
                            opened.incrementAndGet();
                            if (i % 3 == 0) {  // some say something and leave without waiting
                                socket.getOutputStream().write("GET /hel".getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            flooders.shutdownNow();
        }
        assertEquals(3000, opened.get());
        try (Socket after = new Socket("127.0.0.1", port)) {  // and it still answers afterwards
            after.setSoTimeout(5000);
            after.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(readAll(after).startsWith("HTTP/1.1 200"));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer after the flood", e);
        }
    }
}
