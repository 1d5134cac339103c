package dev.nettyhttpsys.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What reaches the wire when a handler's framing is wrong (issue 19, response side), end to end:
 * ServerBootstrap, HttpServerCodec, a raw socket. The engine owns the framing; a handler's mistake
 * fails its write and never reaches the client as given.
 */
class ResponseFramingTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(1, ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new SimpleChannelInboundHandler<HttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                        answer(ctx, request.uri());
                    }
                }));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse unvalidatedHead() {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
    }

    private static LastHttpContent lastWithTrailer(String value) {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER,
                DefaultHttpHeadersFactory.trailersFactory().withValidation(false));
        last.trailingHeaders().add("X-T", value);
        return last;
    }

    private static void answer(ChannelHandlerContext ctx, String path) {
        switch (path) {
            case "/trailers":
            case "/trailer-injection": {
                ctx.write(unvalidatedHead());
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
                ctx.writeAndFlush(lastWithTrailer(path.equals("/trailers") ? "1" : "a\r\nInjected: 1"));
                return;
            }
            case "/too-long": {
                HttpResponse head = unvalidatedHead();
                head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)));
                return;
            }
            case "/status-600": {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(600, "Beyond"),
                        Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII)));
                return;
            }
            case "/reset-content": {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.RESET_CONTENT, Unpooled.copiedBuffer("content", StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 7);
                ctx.writeAndFlush(response);
                return;
            }
            default: {
                HttpResponse head = unvalidatedHead();
                head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)));
                ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("def", StandardCharsets.US_ASCII)));
            }
        }
    }

    /** What the client received, and how the connection ended. */
    private record Wire(String bytes, boolean reset) {
    }

    private static Wire exchange(String requests) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port), 10_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) > 0;) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketException e) {
                return new Wire(received.toString(StandardCharsets.ISO_8859_1), true);
            }
            return new Wire(received.toString(StandardCharsets.ISO_8859_1), false);
        }
    }

    private static String get(String path, String version, String connection) {
        return "GET " + path + " HTTP/" + version + "\r\nHost: 127.0.0.1\r\n" + connection + "\r\n";
    }

    @Test
    void trailersAreWrittenByTheEngineAfterTheLastChunk() throws Exception {
        Wire wire = exchange(get("/trailers", "1.1", "Connection: close\r\n"));
        assertTrue(wire.bytes().contains("\r\nTransfer-Encoding: chunked\r\n"), wire.bytes());
        assertTrue(wire.bytes().endsWith("\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"), wire.bytes());
    }

    @Test
    void aTrailerWithCrLfNeverReachesTheWire() throws Exception {
        Wire wire = exchange(get("/trailer-injection", "1.1", ""));
        assertFalse(wire.bytes().contains("Injected"), wire.bytes());
        assertFalse(wire.bytes().contains("\r\n0\r\n"), "the body never looks complete: " + wire.bytes());
    }

    @Test
    void aBodyPastItsContentLengthIsNotWritten() throws Exception {
        Wire wire = exchange(get("/too-long", "1.1", ""));
        assertTrue(wire.bytes().startsWith("HTTP/1.1 200 "), wire.bytes());
        assertTrue(wire.bytes().endsWith("\r\n\r\n"), "the head alone: " + wire.bytes());
        assertFalse(wire.bytes().contains("hel"), wire.bytes());
    }

    @Test
    void aStatusOutsideHttpsRangeIsNeverSent() throws Exception {
        Wire wire = exchange(get("/status-600", "1.1", ""));
        assertTrue(wire.bytes().startsWith("HTTP/1.1 500 "), wire.bytes());
        assertFalse(wire.bytes().contains("600"), wire.bytes());
    }

    @Test
    void resetContentCarriesNoContentAndTheConnectionStaysInStep() throws Exception {
        Wire wire = exchange(get("/reset-content", "1.1", "") + get("/trailers", "1.1", "Connection: close\r\n"));
        assertTrue(wire.bytes().startsWith("HTTP/1.1 205 "), wire.bytes());
        String first = wire.bytes().substring(0, wire.bytes().indexOf("HTTP/1.1 200 "));
        assertTrue(first.contains("\r\nContent-Length: 0\r\n"), first);
        assertTrue(first.endsWith("\r\n\r\n"), "no content after the 205's head: " + first);
        assertFalse(wire.bytes().contains("content"), wire.bytes());
    }

    @Test
    void anHttp10ClientNeverGetsChunkedFraming() throws Exception {
        Wire wire = exchange(get("/chunked-for-1.0", "1.0", ""));
        assertFalse(wire.bytes().toLowerCase().contains("transfer-encoding"), wire.bytes());
        assertTrue(wire.bytes().endsWith("\r\n\r\nabcdef"), wire.bytes());
        assertFalse(wire.reset(), "the close ends the body");
    }
}
