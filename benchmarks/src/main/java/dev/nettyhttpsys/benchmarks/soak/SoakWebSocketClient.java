package dev.nettyhttpsys.benchmarks.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak run's WebSocket load: CONNECTIONS clients each send a 1 KB text message, wait for its
 * echo, and send the next, for SECONDS; prints the number of echoed messages and of failures.
 *
 * <p>{@code java -cp benchmarks.jar dev.nettyhttpsys.benchmarks.soak.SoakWebSocketClient PORT CONNECTIONS SECONDS}
 */
public final class SoakWebSocketClient {
    private SoakWebSocketClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        long seconds = Long.parseLong(args[2]);
        String message = "m".repeat(1024);
        AtomicLong echoed = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public void onOpen(WebSocket socket) {
                            socket.request(1);
                            socket.sendText(message, true);
                        }

                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                if (partial.length() != message.length()) {
                                    failures.incrementAndGet();
                                }
                                partial.setLength(0);
                                echoed.incrementAndGet();
                                if (System.nanoTime() < deadline) {
                                    socket.sendText(message, true);
                                } else {
                                    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")
                                            .whenComplete((s, e) -> finished.complete(null));
                                }
                            }
                            socket.request(1);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket socket, Throwable error) {
                            failures.incrementAndGet();
                            finished.complete(null);
                        }
                    }).whenComplete((socket, error) -> {
                        if (error != null) {
                            failures.incrementAndGet();
                            finished.complete(null);
                        }
                    });
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(seconds + 60, TimeUnit.SECONDS);
        System.out.println("websocket echoed=" + echoed.get() + " failures=" + failures.get());
    }
}
