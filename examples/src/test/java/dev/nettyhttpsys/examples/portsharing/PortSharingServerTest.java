package dev.nettyhttpsys.examples.portsharing;

import dev.nettyhttpsys.examples.ExampleProcess;
import dev.nettyhttpsys.transport.HttpSys;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two applications on one port: two queues of one process, and a second process (shares on HTTP.SYS, refused on Linux). */
class PortSharingServerTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void oneProcessServesTwoPrefixesOnOnePort() throws Exception {
        int port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.start(PortSharingServer.class, port, List.of(), Map.of(),
                "app1", "app2")) {
            server.awaitLine(line -> line.startsWith("app2 listening on http://+:" + port + "/app2/"));
            assertAnswers(port, "app1", server.pid());
            assertAnswers(port, "app2", server.pid());
            assertEquals(404, get(port, "/other/").statusCode(), "no queue has /other/");
        }
    }

    @Test
    void aSecondProcessAddsItsPrefixOnHttpSysAndIsRefusedOnLinux() throws Exception {
        int port = ExampleProcess.freePort();
        try (ExampleProcess first = ExampleProcess.startServing(PortSharingServer.class, port, "listening on", "app1");
             ExampleProcess second = ExampleProcess.start(PortSharingServer.class, port, List.of(), Map.of(), "app2")) {
            if (HttpSys.backendName().startsWith("windows")) {
                second.awaitLine(line -> line.contains("listening on"));
                assertAnswers(port, "app2", second.pid());
            } else {
                assertEquals(1, second.awaitExit(), second.output());
                assertTrue(second.output().contains("Cannot register http://+:" + port + "/app2/")
                        && second.output().contains("another netty-httpsys process already serves this port"),
                        second.output());
            }
            assertAnswers(port, "app1", first.pid());
        }
    }

    private void assertAnswers(int port, String app, long pid) throws Exception {
        HttpResponse<String> response = get(port, "/" + app + "/page?x=1");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("Hello from " + app + " (pid " + pid + "): /" + app + "/page?x=1\n", response.body());
        assertEquals(app, response.headers().firstValue("x-app").orElseThrow());
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
