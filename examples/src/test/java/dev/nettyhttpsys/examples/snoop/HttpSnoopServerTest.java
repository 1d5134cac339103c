package dev.nettyhttpsys.examples.snoop;

import dev.nettyhttpsys.examples.ExampleProcess;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snoop server, as run by run-example.sh, on this transport and on its NIO fallback: the same description comes back. */
class HttpSnoopServerTest {

    @ParameterizedTest
    @CsvSource({"auto, on httpsys (", "nio, on nio"})
    void describesTheRequestItGot(String transport, String startupText) throws Exception {
        int port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.start(HttpSnoopServer.class, port,
                List.of("-Dtransport=" + transport), Map.of())) {
            assertTrue(server.awaitLine(line -> line.contains("listening on")).contains(startupText), server.output());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/some/path?x=1&y=two%20words"))
                    .timeout(Duration.ofSeconds(10))
                    .header("X-Snoop", "yes")
                    .POST(HttpRequest.BodyPublishers.ofString("hello, snoop"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals("text/plain; charset=UTF-8", response.headers().firstValue("content-type").orElseThrow());
            String body = response.body();
            for (String line : List.of("method: POST", "uri: /some/path?x=1&y=two%20words", "version: HTTP/1.1",
                    "header: x-snoop: yes", "path: /some/path", "query: x = [1]", "query: y = [two words]",
                    "body: 12 bytes", "hello, snoop", "tls: none")) {
                assertTrue(body.lines().anyMatch(line::equalsIgnoreCase), "no line '" + line + "' in\n" + body);
            }
            assertTrue(body.contains("client: /127.0.0.1:"), body);
            assertTrue(body.contains("server: /127.0.0.1:" + port), body);
        }
    }
}
