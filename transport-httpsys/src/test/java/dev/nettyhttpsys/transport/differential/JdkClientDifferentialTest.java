package dev.nettyhttpsys.transport.differential;

import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The JDK's own HTTP/1.1 and WebSocket clients against both servers: what a real client sees must match. */
class JdkClientDifferentialTest {
    private static Differential servers;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Echoes text frames back in upper case. */
    private static final class Shout extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame(frame.text().toUpperCase()));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpServerKeepAliveHandler(), new HttpContentCompressor(), new HttpObjectAggregator(1 << 20),
                new WebSocketServerProtocolHandler("/ws"), new Shout(), new Handlers.Echo())));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    private String observe(ServerUnderTest server, HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = client.send(request.uri(URI.create("http://127.0.0.1:" + server.port
                + request.build().uri().getRawPath())).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        TreeMap<String, List<String>> fields = new TreeMap<>(response.headers().map());
        fields.remove("date");  // engine-owned: see Differential
        return response.statusCode() + " " + fields + " " + response.body();
    }

    private void compare(HttpRequest.Builder request) throws Exception {
        assertEquals(observe(servers.nio, request), observe(servers.httpsys, request));
    }

    @Test
    void requestsOfARealClient() throws Exception {
        compare(HttpRequest.newBuilder(URI.create("http://x/get?q=1")).header("X-Test", "jdk"));
        compare(HttpRequest.newBuilder(URI.create("http://x/post")).POST(HttpRequest.BodyPublishers.ofString("payload")));
        compare(HttpRequest.newBuilder(URI.create("http://x/put")).PUT(HttpRequest.BodyPublishers.ofString("x".repeat(50_000))));
        compare(HttpRequest.newBuilder(URI.create("http://x/gzip")).header("Accept-Encoding", "gzip"));
        compare(HttpRequest.newBuilder(URI.create("http://x/head")).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    @Test
    void webSocketClientConversation() throws Exception {
        assertEquals(converse(servers.nio), converse(servers.httpsys));
        assertEquals(List.of("HELLO", "WORLD", "closed 1000"), converse(servers.httpsys));
    }

    private List<String> converse(ServerUnderTest server) throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        CompletableFuture<String> closed = new CompletableFuture<>();
        WebSocket socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete("closed " + statusCode);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        List<String> transcript = new ArrayList<>();
        for (String word : List.of("hello", "world")) {
            socket.sendText(word, true).get(10, TimeUnit.SECONDS);
            transcript.add(received.poll(10, TimeUnit.SECONDS));
        }
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
        transcript.add(closed.get(10, TimeUnit.SECONDS));
        return transcript;
    }
}
