package dev.nettyhttpsys.examples.cache;

import dev.nettyhttpsys.examples.ExampleProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The output cache example started with {@code HTTPSYS_CACHE_DURATION=30}: the handler's count
 * shows which requests reached Java and which the engine answered from its cache.
 */
class OutputCacheServerTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private int port;

    @Test
    void theHandlerSeesOnlyTheRequestsTheCacheDidNotAnswer() throws Exception {
        port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.start(OutputCacheServer.class, port, List.of(),
                Map.of("HTTPSYS_CACHE_DURATION", "30"))) {
            assertTrue(server.awaitLine(line -> line.contains("listening on"))
                    .contains("default cache time-to-live 30 s"), server.output());

            HttpResponse<String> first = get("/");
            assertEquals(200, first.statusCode());
            assertTrue(first.body().startsWith("handler call #" + count(first) + " for / at "), first.body());
            HttpResponse<String> again = get("/");
            assertEquals(count(first), count(again), "the server default (30 s) kept the response");
            assertEquals(first.body(), again.body());

            long noCache = count(get("/nocache"));
            assertNotEquals(noCache, count(get("/nocache")), "setTtl(0) keeps it out of the cache");

            long short1 = count(get("/ttl/1"));
            assertEquals(short1, count(get("/ttl/1")), "setTtl(1 s) kept it");
            Thread.sleep(2_100);
            assertNotEquals(short1, count(get("/ttl/1")), "after its 1 s the handler answers again");

            assertEquals(400, get("/ttl/-1").statusCode());
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue(CountingHandler.COUNT_HEADER).orElseThrow(
                () -> new AssertionError("no " + CountingHandler.COUNT_HEADER + ": " + response.headers().map())));
    }
}
