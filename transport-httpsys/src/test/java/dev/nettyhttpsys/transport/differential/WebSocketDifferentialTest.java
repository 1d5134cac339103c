package dev.nettyhttpsys.transport.differential;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocketServerProtocolHandler with permessage-deflate: the 101 handshake, then raw frames
 * both ways (HTTP.SYS opaque mode), a close handshake and the end of the connection.
 */
class WebSocketDifferentialTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static Differential servers;

    /** Echoes text and binary frames (the protocol handler answers pings and closes). */
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame && ((TextWebSocketFrame) frame).text().startsWith("push ")) {
                // Many frames back to back: they queue behind the one in flight.
                int count = Integer.parseInt(((TextWebSocketFrame) frame).text().substring(5));
                for (int i = 0; i < count; i++) {
                    ctx.write(new TextWebSocketFrame("pushed " + i + " " + "p".repeat(i * 10)));
                }
                ctx.flush();
            } else if (frame instanceof TextWebSocketFrame && ((TextWebSocketFrame) frame).text().equals("bye")) {
                ctx.writeAndFlush(new TextWebSocketFrame("farewell"));
                ctx.writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1001, "going away"))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            } else if (frame instanceof TextWebSocketFrame && ((TextWebSocketFrame) frame).text().equals("drop")) {
                ctx.close();
            } else if (frame instanceof TextWebSocketFrame) {
                ctx.writeAndFlush(new TextWebSocketFrame("echo:" + ((TextWebSocketFrame) frame).text()));
            } else if (frame instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(frame.content().retain()));
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(65536), new WebSocketServerCompressionHandler(0),
                new WebSocketServerProtocolHandler("/ws", null, true), new Echo())));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    /** What one client saw: the handshake response, each frame's bytes, and whether the server then closed. */
    private static final class Transcript {
        RawResponse handshake;
        final List<byte[]> frames = new ArrayList<>();
        boolean closed;
    }

    private static Transcript talk(ServerUnderTest server, boolean deflate, List<byte[]> clientFrames)
            throws IOException {
        Transcript transcript = new Transcript();
        try (RawConnection connection = new RawConnection(server.port)) {
            connection.send("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n"
                    + (deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "")
                    + "\r\n");
            transcript.handshake = connection.read(false);
            for (byte[] frame : clientFrames) {
                connection.send(frame);
                transcript.frames.add(connection.readWebSocketFrame());
            }
            transcript.closed = connection.awaitServerClose();
        }
        return transcript;
    }

    private static void converse(boolean deflate) throws IOException {
        byte[] big = Differential.repeat('w', 60_000).getBytes(StandardCharsets.US_ASCII);
        byte[] binary = new byte[3000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        List<byte[]> frames = List.of(
                RawConnection.clientFrame(0x1, "hello".getBytes(StandardCharsets.US_ASCII)),
                RawConnection.clientFrame(0x1, big),
                RawConnection.clientFrame(0x2, binary),
                RawConnection.clientFrame(0x9, "ping".getBytes(StandardCharsets.US_ASCII)),
                RawConnection.clientFrame(0x8, new byte[] {0x03, (byte) 0xE8}));
        Transcript nio = talk(servers.nio, deflate, frames);
        Transcript httpsys = talk(servers.httpsys, deflate, frames);
        Differential.assertSameResponse(false, nio.handshake, httpsys.handshake);
        assertEquals(101, httpsys.handshake.status);
        assertEquals(deflate, httpsys.handshake.header("sec-websocket-extensions") != null);
        assertEquals(nio.frames.size(), httpsys.frames.size());
        for (int i = 0; i < nio.frames.size(); i++) {
            assertArrayEquals(nio.frames.get(i), httpsys.frames.get(i), "frame " + i);
        }
        assertEquals(0x88, httpsys.frames.get(4)[0] & 0xFF, "the server answers the close");
        assertTrue(nio.closed);
        assertTrue(httpsys.closed);
    }

    @Test
    void framesEchoWithoutCompression() throws Exception {
        converse(false);
    }

    @Test
    void framesEchoWithPermessageDeflate() throws Exception {
        converse(true);
    }

    @Test
    void plainHttpOnTheSameServerStillWorks() throws Exception {
        // Not a WebSocket path: the protocol handler passes it on and nobody answers on NIO;
        // so ask for the upgrade with a wrong version, which both answer the same way.
        servers.exchange("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 7\r\n\r\n");
    }

    @Test
    void serverPushesManyFramesAtOnce() throws Exception {
        byte[] push = RawConnection.clientFrame(0x1, "push 300".getBytes(StandardCharsets.US_ASCII));
        List<byte[]> nio = pushed(servers.nio, push);
        List<byte[]> httpsys = pushed(servers.httpsys, push);
        assertEquals(300, httpsys.size());
        for (int i = 0; i < nio.size(); i++) {
            assertArrayEquals(nio.get(i), httpsys.get(i), "frame " + i);
        }
    }

    private static List<byte[]> pushed(ServerUnderTest server, byte[] push) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (RawConnection connection = new RawConnection(server.port)) {
            connection.send("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertEquals(101, connection.read(false).status);
            connection.send(push);
            for (int i = 0; i < 300; i++) {
                frames.add(connection.readWebSocketFrame());
            }
            connection.send(RawConnection.clientFrame(0x8, new byte[] {0x03, (byte) 0xE8}));
            assertEquals(0x88, connection.readWebSocketFrame()[0] & 0xFF);
            assertTrue(connection.awaitServerClose());
        }
        return frames;
    }

    @Test
    void serverInitiatedCloseAndDrop() throws Exception {
        for (String word : List.of("bye", "drop")) {
            byte[] nio = serverEnds(servers.nio, word);
            byte[] httpsys = serverEnds(servers.httpsys, word);
            assertArrayEquals(nio, httpsys, word);
        }
        // "bye": a text frame, then a close frame (1001), then the end of the connection.
        byte[] bye = serverEnds(servers.httpsys, "bye");
        assertTrue(new String(bye, StandardCharsets.ISO_8859_1).contains("farewell"));
        assertEquals(0x88, bye[10] & 0xFF, "the close frame follows the 10-byte text frame");
        // "drop": the protocol handler turns close() into a close frame first, on both.
        assertEquals(0x88, serverEnds(servers.httpsys, "drop")[0] & 0xFF);
    }

    /** Everything the server sends after the word, until it closes the connection. */
    private static byte[] serverEnds(ServerUnderTest server, String word) throws IOException {
        try (RawConnection connection = new RawConnection(server.port)) {
            connection.send("GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            assertEquals(101, connection.read(false).status);
            connection.send(RawConnection.clientFrame(0x1, word.getBytes(StandardCharsets.US_ASCII)));
            return connection.readUntilClosed();
        }
    }
}
