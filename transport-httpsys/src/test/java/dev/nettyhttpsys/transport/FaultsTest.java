package dev.nettyhttpsys.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
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

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults on both sides: clients that reset in the middle of a body or a response, handlers that
 * throw in a read, a listener or a scheduled task, and the server channel or the whole event loop
 * group going away with requests and body reads in flight. No leak (the leak gate runs at
 * PARANOID), no crash, no hang; the server answers the next client, or after shutdown the kernel
 * refuses the connection.
 */
class FaultsTest {
    private EventLoopGroup group;
    private Channel server;
    private int port;
    private final CountDownLatch requestSeen = new CountDownLatch(1);
    private final CompletableFuture<Void> childInactive = new CompletableFuture<>();

    /**
     * /hello answers; /stream streams 64 MB in 64 KB parts while writable; /hold reads the body and
     * never answers; /throw-* answer and then fail at the named stage.
     */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private String uri;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                uri = ((HttpRequest) msg).uri();
                requestSeen.countDown();
            }
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (uri.equals("/throw-in-read") && msg instanceof HttpRequest) {
                throw new IllegalStateException("a handler bug in channelRead");
            }
            if (!last) {
                return;
            }
            switch (uri) {
                case "/stream":
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    HttpUtil.setContentLength(head, 64L << 20);
                    ctx.writeAndFlush(head);
                    stream(ctx, 1024);
                    break;
                case "/hold":
                    break;
                case "/throw-in-listener":
                    ctx.writeAndFlush(text("listener")).addListener(f -> {
                        throw new IllegalStateException("a handler bug in a write listener");
                    });
                    break;
                case "/throw-in-task":
                    ctx.writeAndFlush(text("task"));
                    ctx.executor().schedule(() -> {
                        throw new IllegalStateException("a handler bug in a scheduled task");
                    }, 10, TimeUnit.MILLISECONDS);
                    break;
                default:
                    ctx.writeAndFlush(text("hello"));
            }
        }

        private void stream(ChannelHandlerContext ctx, int parts) {
            while (parts > 0 && ctx.channel().isWritable()) {
                ctx.writeAndFlush(new DefaultHttpContent(ctx.alloc().directBuffer(65536).writeZero(65536)));
                parts--;
            }
            if (parts == 0) {
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else if (ctx.channel().isActive()) {
                int left = parts;
                ctx.channel().eventLoop().schedule(() -> stream(ctx, left), 1, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if ("/stream".equals(uri) || "/hold".equals(uri)) {
                childInactive.complete(null);
            }
            ctx.fireChannelInactive();
        }
    }

    private static FullHttpResponse text(String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return response;
    }

    private void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(HttpSysServerChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                }).bind(0).sync().channel();
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

    private String ask(String uri) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + uri + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);  // RST, not FIN
        socket.close();
    }

    @Test
    void aClientResettingMidBodyEndsOnlyItsConnection() throws Exception {
        start();
        Socket socket = new Socket("127.0.0.1", port);
        socket.getOutputStream().write(("POST /hold HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"
                + "x".repeat(30000)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(requestSeen.await(5, TimeUnit.SECONDS));
        reset(socket);
        childInactive.get(5, TimeUnit.SECONDS);
        assertTrue(ask("/hello").endsWith("hello"));
    }

    @Test
    void aClientResettingMidResponseEndsOnlyItsConnection() throws Exception {
        start();
        Socket socket = new Socket("127.0.0.1", port);
        socket.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        in.readNBytes(1 << 20);  // a megabyte of the 64, then away
        reset(socket);
        childInactive.get(5, TimeUnit.SECONDS);
        assertTrue(ask("/hello").endsWith("hello"));
    }

    @Test
    void handlersThrowingAtEachStageLeaveTheServerServing() throws Exception {
        start();
        assertTrue(ask("/throw-in-read").startsWith("HTTP/1.1 500"));
        assertTrue(ask("/throw-in-listener").endsWith("listener"));
        assertTrue(ask("/throw-in-task").endsWith("task"));
        assertTrue(ask("/hello").endsWith("hello"));
    }

    @Test
    void closingTheServerChannelWithWorkInFlightEndsItCleanly() throws Exception {
        start();
        Socket holding = new Socket("127.0.0.1", port);  // a body read in flight
        holding.setSoTimeout(5000);
        holding.getOutputStream().write(("POST /hold HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"
                + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII));
        Socket streaming = new Socket("127.0.0.1", port);  // sends in flight
        streaming.setSoTimeout(5000);
        streaming.getOutputStream().write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(requestSeen.await(5, TimeUnit.SECONDS));
        streaming.getInputStream().readNBytes(100_000);
        server.close().sync();
        childInactive.get(5, TimeUnit.SECONDS);
        assertEndsWithin(holding);
        assertEndsWithin(streaming);
        // The port is free again: a new server binds it and answers.
        server = new ServerBootstrap().group(group).channel(HttpSysServerChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                }).bind(port).sync().channel();
        assertTrue(ask("/hello").endsWith("hello"));
    }

    @Test
    void shuttingTheGroupDownWithWorkInFlightEndsEverythingAndFreesThePort() throws Exception {
        start();
        Socket holding = new Socket("127.0.0.1", port);
        holding.setSoTimeout(5000);
        holding.getOutputStream().write(("POST /hold HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n"
                + "x".repeat(1000)).getBytes(StandardCharsets.US_ASCII));
        assertTrue(requestSeen.await(5, TimeUnit.SECONDS));
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS));
        group = null;
        server = null;
        assertEndsWithin(holding);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close(),
                "after shutdown the kernel refuses the port");
    }

    /** The server ended the connection (EOF or reset) instead of leaving the client waiting. */
    private static void assertEndsWithin(Socket socket) throws IOException {
        try (socket) {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[65536];
            while (in.read(buffer) >= 0) {
                // drain what was already on its way
            }
        } catch (SocketException e) {
            // reset: ended too
        }
    }
}
