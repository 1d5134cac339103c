package dev.nettyhttpsys.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Channel contract on a request channel: read(), writability, close, errors, disconnects. */
class ChannelSemanticsTest {
    private TestServer server;

    /** A handler that drops what it reads and calls action when the request's last content arrives. */
    private static ChannelInboundHandlerAdapter atRequestEnd(Consumer<ChannelHandlerContext> action) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean last = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (last) {
                    action.accept(ctx);
                }
            }
        };
    }

    private void start(Consumer<SocketChannel> pipeline) throws Exception {
        server = TestServer.start(1, pipeline);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
        socket.setSoTimeout(15_000);
        return socket;
    }

    private static FullHttpResponse text(String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }

    /** Counts read() calls and read batches: with auto-read off there is no batch without a read(). */
    private static final class ReadGate extends ChannelDuplexHandler {
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger batches = new AtomicInteger();
        final AtomicLong bodyBytes = new AtomicLong();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Channel> channel = new CompletableFuture<>();
        volatile boolean last;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel.complete(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            reads.incrementAndGet();
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpContent) {
                bodyBytes.addAndGet(((HttpContent) msg).content().readableBytes());
            }
            if (msg instanceof LastHttpContent) {
                last = true;
                ctx.writeAndFlush(text("got " + bodyBytes.get()));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (batches.incrementAndGet() > reads.get()) {
                violations.add("batch " + batches.get() + " after only " + reads.get() + " read() calls");
            }
        }
    }

    @Test
    void autoReadOffReadsTheBodyOnlyWhenAsked() throws Exception {
        ReadGate gate = new ReadGate();
        start(ch -> {
            ch.config().setAutoRead(false);
            ch.pipeline().addLast(new HttpServerCodec(), gate);
        });
        // Large enough for many reads of up to four 64 KB allocator guesses each, so the check
        // that nothing arrives unasked (every 16th read) runs.
        int size = 8 * 1024 * 1024;
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /slow-reader HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // The client writes on its own thread: with nobody reading it blocks, which is the point.
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < size; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Channel channel = gate.channel.get(10, TimeUnit.SECONDS);
            while (!gate.last) {
                int asked = gate.reads.get();
                // Everything asked for was answered before asking again.
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); gate.batches.get() < asked;) {
                    assertTrue(System.nanoTime() < deadline, "read() " + asked + " was never answered");
                    Thread.sleep(1);
                }
                if (asked > 0 && asked % 16 == 0) {
                    // Unasked, nothing arrives, however long the body keeps coming.
                    Thread.sleep(50);
                    assertEquals(asked, gate.batches.get(), "a batch arrived without read()");
                }
                channel.eventLoop().submit(channel::read).get(10, TimeUnit.SECONDS);  // counted before the next look
            }
            upload.get(10, TimeUnit.SECONDS);
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(gate.violations.isEmpty(), gate.violations::toString);
            assertEquals(size, gate.bodyBytes.get());
            assertTrue(gate.reads.get() > 16, "the body came in many reads: " + gate.reads.get());
        }
    }

    @Test
    void writabilityFollowsTheWaterMarksWhileSendsAreInFlight() throws Exception {
        List<Boolean> changes = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Boolean> sawUnwritable = new AtomicReference<>(false);
        int parts = 64;
        int partSize = 16 * 1024;
        server = TestServer.start(1, ch -> {
            ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8 * 1024, 32 * 1024));
            ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof LastHttpContent) {
                        HttpResponse head =
                                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                        HttpUtil.setContentLength(head, (long) parts * partSize);
                        ctx.write(head);
                        for (int i = 0; i < parts; i++) {
                            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[partSize])));
                            if (!ctx.channel().isWritable()) {
                                sawUnwritable.set(true);
                            }
                        }
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    }
                    ReferenceCountUtil.release(msg);
                }

                @Override
                public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                    changes.add(ctx.channel().isWritable());
                }
            });
        });
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertEquals(parts * partSize, in.readNBytes(parts * partSize).length);
        }
        assertTrue(sawUnwritable.get(), "isWritable() went false above the high water mark");
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5); !changes.contains(true);) {
            assertTrue(System.nanoTime() < deadline, "writability never came back: " + changes);
            Thread.sleep(1);
        }
        assertEquals(Boolean.FALSE, changes.get(0), "first change: not writable; then " + changes);
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("EOF in the head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void closeBeforeTheResponseResetsTheRequestAndTheServerCarriesOn() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean drop = msg instanceof HttpRequest && ((HttpRequest) msg).uri().equals("/drop");
                boolean answer = msg instanceof LastHttpContent;
                ReferenceCountUtil.release(msg);
                if (drop) {
                    ctx.close();
                } else if (answer) {
                    ctx.writeAndFlush(text("fine"));
                }
            }
        }));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /drop HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("", TestServer.readUntilClosed(socket));
        }
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /ok HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = TestServer.readUntilClosed(socket);
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("fine"), answer);
        }
    }

    @Test
    void closeRightAfterWritingDeliversTheResponseThenClosesTheConnection() throws Exception {
        CompletableFuture<ChannelFuture> lateClose = new CompletableFuture<>();
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            Channel channel = ctx.channel();
            ctx.writeAndFlush(text("delivered")).addListener(f -> lateClose.complete(channel.close()));
            ctx.close();  // the whole response is in the engine: it goes out, then the connection ends
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 200") && seen.endsWith("delivered"), seen);
        }
        assertTrue(lateClose.get(5, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS));
        assertTrue(lateClose.get().isSuccess(), "closing a closed channel is a no-op");
    }

    @Test
    void theCloseListenerEndsTheConnectionAfterTheResponseAsOverASocket() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx ->
                ctx.writeAndFlush(text("bye")).addListener(ChannelFutureListener.CLOSE))));
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /2 HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 200") && seen.endsWith("bye"), seen);
            assertEquals(seen.indexOf("HTTP/1.1"), seen.lastIndexOf("HTTP/1.1"),
                    "the pipelined second request dies with the connection: " + seen);
        }
    }

    @Test
    void anExceptionAfterTheHeadResetsInsteadOfHanging() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.US_ASCII)));
            throw new IllegalStateException("handler bug in the middle of a response");
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 200"), seen);
            assertFalse(seen.endsWith("0\r\n\r\n"), "the response must not look complete: " + seen);
        }
        assertTrue(server.channel.isActive());
    }

    @Test
    void clientDisconnectMidBodyMakesTheChannelInactive() throws Exception {
        CountDownLatch inactive = new CountDownLatch(1);
        CountDownLatch headSeen = new CountDownLatch(1);
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    headSeen.countDown();
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inactive.countDown();
            }
        }));
        try (Socket socket = connect()) {
            socket.getOutputStream().write(("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
                    + "only a little").getBytes(StandardCharsets.US_ASCII));
            assertTrue(headSeen.await(10, TimeUnit.SECONDS));
        }
        assertTrue(inactive.await(10, TimeUnit.SECONDS), "channelInactive after the client went away");
    }

    @Test
    void aPartThatCannotBeSentResetsRatherThanSendingAroundTheHole() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
            ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("part1;", StandardCharsets.US_ASCII)));
            // A request object is no response part: the write fails...
            ctx.write(new DefaultHttpRequest(HttpVersion.HTTP_1_1,
                    HttpMethod.GET, "/"));
            // ...and what follows must not make the response look complete.
            ctx.writeAndFlush(new DefaultLastHttpContent(
                    Unpooled.copiedBuffer("end", StandardCharsets.US_ASCII)));
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 200"), seen);
            assertFalse(seen.contains("end"), "nothing after the failed part: " + seen);
        }
    }

    @Test
    void aSendCompletionDoesNotFlushLaterUnflushedWrites() throws Exception {
        CompletableFuture<String> check = new CompletableFuture<>();
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            HttpResponse head =
                    new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 2);
            ChannelFuture headSent = ctx.writeAndFlush(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("A", StandardCharsets.US_ASCII)));
            ChannelFuture unflushed = ctx.write(new DefaultLastHttpContent(
                    Unpooled.copiedBuffer("B", StandardCharsets.US_ASCII)));
            headSent.addListener(f -> ctx.executor().execute(() -> {
                // The head and A are in the engine (their promises are done); B was never flushed.
                check.complete("flushed=" + ctx.channel().unsafe().outboundBuffer().size()
                        + " done=" + unflushed.isDone());
                ctx.flush();
            }));
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            assertEquals("AB", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
        }
        assertEquals("flushed=0 done=false", check.get(5, TimeUnit.SECONDS));
    }

    @Test
    void progressivePromisesReportFileProgress(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("download.bin"), new byte[300_000]);
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Boolean> complete = new CompletableFuture<>();
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            HttpResponse head =
                    new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setContentLength(head, 300_000);
            ctx.write(head);
            // As Netty's HttpStaticFileServer example writes a download.
            ctx.write(new DefaultFileRegion(file.toFile(), 0, 300_000), ctx.newProgressivePromise())
                    .addListener(new ChannelProgressiveFutureListener() {
                        @Override
                        public void operationProgressed(ChannelProgressiveFuture future,
                                                        long done, long total) {
                            progress.add(done + "/" + total);
                        }

                        @Override
                        public void operationComplete(ChannelProgressiveFuture future) {
                            complete.complete(future.isSuccess());
                        }
                    });
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /file HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            assertEquals(300_000, in.readNBytes(300_000).length);
        }
        assertTrue(complete.get(5, TimeUnit.SECONDS));
        assertEquals(List.of("300000/300000"), progress);
    }

    @Test
    void aResponseTheEngineRefusesStillAnswersTheClient() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            // Header validation off: a value that would split the response. The encoder refuses it
            // (so would the engine), before anything is sent.
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.EMPTY_BUFFER, DefaultHttpHeadersFactory.headersFactory()
                            .withValidation(false), DefaultHttpHeadersFactory
                            .trailersFactory());
            response.headers().set("X-Split", "a\r\nInjected: yes");
            ctx.writeAndFlush(response);
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // Nothing of the refused response, and no hang: the write failed before any head, so
            // the client is answered 500.
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 500 "), seen);
            assertFalse(seen.contains("Injected"), seen);
        }
    }

    @Test
    void rawBytesInsteadOfAResponseAnswer500() throws Exception {
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), atRequestEnd(ctx -> {
            ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
                    StandardCharsets.US_ASCII));
        })));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /x HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String seen = TestServer.readUntilClosed(socket);
            assertTrue(seen.startsWith("HTTP/1.1 500 "), seen);
        }
    }

    @Test
    void clientGoneMidResponseFailsTheWritesAndTheServerCarriesOn() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CountDownLatch inactive = new CountDownLatch(1);
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean last = msg instanceof LastHttpContent;
                boolean small = msg instanceof HttpRequest && ((HttpRequest) msg).uri().equals("/small");
                ReferenceCountUtil.release(msg);
                if (small) {
                    ctx.writeAndFlush(text("still here"));
                } else if (last) {
                    // 64 MB in 64 KB parts, each written when the previous one is accepted.
                    ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                    stream(ctx, 1024);
                }
            }

            private void stream(ChannelHandlerContext ctx, int remaining) {
                if (remaining == 0) {
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    return;
                }
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[64 * 1024]))).addListener(f -> {
                    if (f.isSuccess()) {
                        stream(ctx, remaining - 1);
                    } else {
                        failure.complete(f.cause());
                    }
                });
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inactive.countDown();
            }
        }));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /big HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            in.readNBytes(100_000);
        }
        assertTrue(failure.get(10, TimeUnit.SECONDS) != null, "a write failed once the client was gone");
        assertTrue(inactive.await(10, TimeUnit.SECONDS));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("GET /small HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(TestServer.readUntilClosed(socket).endsWith("still here"));
        }
    }

    @Test
    void closingTheServerEndsOpenRequests() throws Exception {
        CountDownLatch headSeen = new CountDownLatch(1);
        CountDownLatch inactive = new CountDownLatch(1);
        start(ch -> ch.pipeline().addLast(new HttpServerCodec(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                headSeen.countDown();
                ReferenceCountUtil.release(msg);  // and never answer
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                inactive.countDown();
            }
        }));
        try (Socket socket = connect()) {
            socket.getOutputStream().write("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(headSeen.await(10, TimeUnit.SECONDS));
            server.channel.close().syncUninterruptibly();
            assertTrue(inactive.await(10, TimeUnit.SECONDS), "the request channel closed with its queue");
            assertEquals("", TestServer.readUntilClosed(socket));
        }
    }
}
