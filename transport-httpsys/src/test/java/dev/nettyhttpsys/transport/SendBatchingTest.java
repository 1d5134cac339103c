package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What one flush holds for one response goes to the engine as one send, seen on the wire: the
 * engine frames each send of a chunked response as one chunk, so the chunk sizes a raw client
 * reads show how the writes were gathered. Every write's promise still completes on its own.
 */
class SendBatchingTest {
    private TestServer server;
    private final List<ChannelFuture> writes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Starts a server whose handler answers each request (after its last content) with respond. */
    private void start(BiConsumer<ChannelHandlerContext, List<ChannelFuture>> respond) throws Exception {
        server = TestServer.start(1, ch -> ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    respond.accept(ctx, writes);
                }
            }
        }));
    }

    private String exchange() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return TestServer.readUntilClosed(socket);  // a refused response part ends in a reset
        }
    }

    private static ByteBuf direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** Waits for the handler to have made its writes (the last one may still be returning when the client is done). */
    private void awaitWrites(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (writes.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, writes.size());
    }

    private void assertEveryWriteSucceeded(int expected) throws InterruptedException {
        awaitWrites(expected);
        for (ChannelFuture write : writes) {
            assertTrue(write.await(5_000), "write completed");
            assertTrue(write.isSuccess(), () -> "write failed: " + write.cause());
        }
    }

    @Test
    void oneFlushOfAStreamedResponseIsOneChunk() throws Exception {
        start((ctx, writes) -> {
            writes.add(ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
            writes.add(ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("heap,", StandardCharsets.US_ASCII))));
            writes.add(ctx.write(new DefaultHttpContent(direct("direct,"))));
            writes.add(ctx.write(direct("bytebuf")));
            writes.add(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
        });
        String response = exchange();
        assertTrue(response.contains("Transfer-Encoding: chunked"), response);
        assertEquals("13\r\nheap,direct,bytebuf\r\n0\r\n\r\n", body(response),
                "one flush, one send: the engine framed it as one chunk");
        assertEveryWriteSucceeded(5);
    }

    @Test
    void separateFlushesStaySeparateSends() throws Exception {
        start((ctx, writes) -> {
            writes.add(ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK)));
            writes.add(ctx.writeAndFlush(new DefaultHttpContent(direct("one"))));
            writes.add(ctx.write(new DefaultHttpContent(direct("two"))));
            writes.add(ctx.writeAndFlush(new DefaultLastHttpContent(direct("three"))));
        });
        assertEquals("3\r\none\r\n8\r\ntwothree\r\n0\r\n\r\n", body(exchange()));
        assertEveryWriteSucceeded(4);
    }

    @Test
    void memoryAndFileChunksMixInOneSend(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("middle.txt"), "--file part--", StandardCharsets.US_ASCII);
        start((ctx, writes) -> {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 5 + 13 + 5);
            writes.add(ctx.write(head));
            writes.add(ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("start", StandardCharsets.US_ASCII))));
            writes.add(ctx.write(new DefaultFileRegion(file.toFile(), 0, 13)));
            writes.add(ctx.writeAndFlush(new DefaultLastHttpContent(direct("ended"))));
        });
        String response = exchange();
        assertTrue(response.contains("Content-Length: 23"), response);
        assertEquals("start--file part--ended", body(response));
        assertEveryWriteSucceeded(4);
    }

    @Test
    void aRefusedPartAfterSentPartsResetsTheConnectionAndFailsOnlyItsWrite() throws Exception {
        start((ctx, writes) -> {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 4);
            writes.add(ctx.write(head));
            writes.add(ctx.write(new DefaultHttpContent(direct("four"))));
            writes.add(ctx.writeAndFlush(new DefaultLastHttpContent(direct("more than declared"))));
        });
        String response = exchange();
        assertTrue(!response.contains("more than"), "never past the declared length: " + response);
        awaitWrites(3);
        for (ChannelFuture write : writes) {
            assertTrue(write.await(5_000));
        }
        assertTrue(writes.get(0).isSuccess() && writes.get(1).isSuccess(), "the parts before went to the engine");
        assertTrue(writes.get(2).cause() instanceof IllegalArgumentException, String.valueOf(writes.get(2).cause()));
        assertTrue(writes.get(2).cause().getMessage().contains("Content-Length"), writes.get(2).cause().getMessage());
    }

    @Test
    void manySmallPartsGoInSendsOfAtMost64Parts() throws Exception {
        start((ctx, writes) -> {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
            writes.add(ctx.write(head));
            for (int i = 0; i < 100; i++) {
                writes.add(ctx.write(new DefaultHttpContent(direct("0123456789"))));
            }
            writes.add(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
        });
        String response = exchange();
        // 102 messages: the head and 63 contents, then 37 contents and the end.
        String body = body(response);
        StringBuilder decoded = new StringBuilder();
        int chunks = 0;
        for (int at = 0;;) {
            int lineEnd = body.indexOf("\r\n", at);
            int size = Integer.parseInt(body.substring(at, lineEnd), 16);
            if (size == 0) {
                break;
            }
            decoded.append(body, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
            chunks++;
        }
        assertEquals("0123456789".repeat(100), decoded.toString());
        assertEquals(2, chunks, "64 parts a send at most");
        assertEveryWriteSucceeded(102);
    }

    /**
     * The engine reports a pipelined batch's sends as one completion that counts them; the
     * channel must free every one of them, or its bytes in the engine would stay counted and
     * writing would stop at the in-engine limit (256 KB) with responses still owed.
     */
    @Test
    void pipelinedResponsesPastTheInEngineLimitAllArrive() throws Exception {
        int requests = 40;
        int size = 16 * 1024;  // 40 x 16 KB: well past the limit
        start((ctx, writes) -> {
            ByteBuf content = Unpooled.directBuffer(size).writeZero(size);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            HttpUtil.setContentLength(response, size);
            writes.add(ctx.writeAndFlush(response));
        });
        String pipelined = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(requests - 1)
                + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        String all;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(pipelined.getBytes(StandardCharsets.US_ASCII));
            all = TestServer.readUntilClosed(socket);
        }
        int answered = 0;
        for (int at = all.indexOf("HTTP/1.1 200 OK"); at >= 0; at = all.indexOf("HTTP/1.1 200 OK", at + 1)) {
            answered++;
        }
        assertEquals(requests, answered, "every pipelined request answered");
        assertTrue(all.length() > requests * size, "every body arrived: " + all.length() + " bytes");
        assertEveryWriteSucceeded(requests);
    }

    /**
     * Requests a client pipelines in one write reach the pipeline as one socket read would bring
     * them: several {@code channelRead}s before one {@code channelReadComplete}, so a handler that
     * flushes there (Netty's hello-world example does) answers them with one flush.
     */
    @Test
    void pipelinedRequestsOfOneWriteAreReadTogether() throws Exception {
        int requests = 8;
        List<String> events = new CopyOnWriteArrayList<>();
        server = TestServer.start(1, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof HttpRequest) {
                            String uri = ((HttpRequest) msg).uri();
                            events.add("read " + uri);
                            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                    HttpResponseStatus.OK, Unpooled.copiedBuffer(uri, StandardCharsets.US_ASCII));
                            HttpUtil.setContentLength(response, response.content().readableBytes());
                            writes.add(ctx.write(response));
                        }
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        events.add("complete");
                        ctx.flush();
                    }
                }));
        StringBuilder pipelined = new StringBuilder();
        for (int i = 1; i < requests; i++) {
            pipelined.append("GET /").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        pipelined.append("GET /").append(requests).append(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String all;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(pipelined.toString().getBytes(StandardCharsets.US_ASCII));
            all = TestServer.readUntilClosed(socket);
        }
        int from = 0;
        for (int i = 1; i <= requests; i++) {
            int at = all.indexOf("\r\n\r\n/" + i, from);
            assertTrue(at >= 0, () -> "the responses in request order: " + all);
            from = at + 1;
        }
        assertEveryWriteSucceeded(requests);
        long completes = events.stream().filter("complete"::equals).count();
        assertTrue(completes < requests, () -> requests + " requests of one write read as one per batch: " + events);
        assertEquals("read /1", events.get(0));
        assertEquals("read /2", events.get(1), () -> "the second request came before a channelReadComplete: " + events);
    }
}
