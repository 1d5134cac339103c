package dev.nettyhttpsys.examples.websocket;

import dev.nettyhttpsys.examples.ExampleProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chat server with the JDK's WebSocket clients: the page, three members, one broadcast, history for a late joiner. */
class WebSocketChatServerTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void oneMessageReachesEveryMember() throws Exception {
        int port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.startServing(WebSocketChatServer.class, port, "listening on")) {
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=UTF-8", page.headers().firstValue("content-type").orElseThrow());
            assertTrue(page.body().contains("new WebSocket(scheme + location.host + '/chat?name='"), page.body());

            List<Member> members = new ArrayList<>();
            try {
                for (String name : List.of("alice", "bob", "carol")) {
                    Member member = new Member(client, port, name);
                    members.add(member);
                    member.await("* " + name + " joined");
                }
                members.get(0).socket.sendText("hello, everyone", true).get(10, TimeUnit.SECONDS);
                for (Member member : members) {
                    member.await("alice: hello, everyone");
                }
                Member late = new Member(client, port, "dave");
                members.add(late);
                late.await("alice: hello, everyone"); // from the room's history
            } finally {
                for (Member member : members) {
                    member.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
                }
            }
        }
    }

    /** One chat client: a JDK WebSocket whose received text messages queue up. */
    private static final class Member implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private final WebSocket socket;

        Member(HttpClient client, int port, String name) throws Exception {
            socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat?name=" + name), this)
                    .get(10, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        /** Waits for one message, skipping others (join notices of later members). */
        void await(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String message;
            do {
                message = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertNotNull(message, "no '" + expected + "' arrived");
            } while (!message.equals(expected));
        }
    }
}
