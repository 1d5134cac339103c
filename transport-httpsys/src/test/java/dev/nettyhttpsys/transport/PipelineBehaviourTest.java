package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ordinary Netty pipelines on the transport, asked by a real client: the rules a user relies on. */
class PipelineBehaviourTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private TestServer server;

    private void start(Consumer<io.netty.channel.socket.SocketChannel> pipeline) throws Exception {
        server = TestServer.start(1, pipeline);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Answers every request with "hello" and its length, whatever the method. */
    private static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
            ctx.writeAndFlush(response);
        }
    }

    @Test
    void headGetsTheHeadersButNoBody() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), new Hello()));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.url("/")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, response.statusCode());
        assertEquals("5", response.headers().firstValue("content-length").orElse(null));
        assertEquals("", response.body());
        // The connection is still usable: the body was not sent after the head.
        assertEquals("hello", send(HttpRequest.newBuilder(URI.create(server.url("/")))).body());
    }

    @Test
    void anExceptionNoHandlerCatchesAnswers500() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
                throw new IllegalStateException("handler bug");
            }
        }));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.url("/boom"))));
        assertEquals(500, response.statusCode());
    }

    @Test
    void aggregatorLimitStillAnswers413() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(100), new Hello()));
        byte[] body = new byte[1000];
        Arrays.fill(body, (byte) 'x');
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.url("/upload")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(413, response.statusCode());
    }

    @Test
    void largeUploadArrivesWhole() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        // One bulk copy: byte-by-byte reads of a leak-tracked (PARANOID) composite
                        // record a trace each and took seconds.
                        int sum = 0;
                        for (byte b : ByteBufUtil.getBytes(request.content())) {
                            sum += b & 0xFF;
                        }
                        String text = request.content().readableBytes() + " " + sum;
                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.OK, Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
                        ctx.writeAndFlush(response);
                    }
                }));
        byte[] body = new byte[3 << 20];
        int sum = 0;
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + 7);
            sum += body[i] & 0xFF;
        }
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.url("/big")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertEquals(body.length + " " + sum, response.body());
    }

    @Test
    void streamedResponseArrivesInOrder() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                        for (int i = 0; i < 3; i++) {
                            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part" + i + ";",
                                    StandardCharsets.US_ASCII)));
                        }
                        ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("end",
                                StandardCharsets.US_ASCII)));
                    }
                }));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(server.url("/stream"))));
        assertEquals(200, response.statusCode());
        assertEquals("chunked", response.headers().firstValue("transfer-encoding").orElse(null));
        assertEquals("part0;part1;part2;end", response.body());
    }

    @Test
    void manyConcurrentRequestsAllGetTheirAnswer() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024), new Hello()));
        assertAllAnswered();
    }

    @Test
    void requestsOnOtherEventLoopsHopToTheQueueAndBack() throws Exception {
        java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        server = TestServer.start(3, ch -> ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1024),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        threads.add(Thread.currentThread());
                        ctx.fireChannelActive();
                    }
                }, new Hello()));
        assertAllAnswered();
        assertTrue(threads.size() > 1, "children ran on " + threads);
    }

    private void assertAllAnswered() throws Exception {
        var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 200; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create(server.url("/c" + i)))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var future : futures) {
            assertEquals("hello", future.get().body());
        }
        assertTrue(server.channel.isActive());
    }
}
