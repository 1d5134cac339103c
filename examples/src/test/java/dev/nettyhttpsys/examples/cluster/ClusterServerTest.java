package dev.nettyhttpsys.examples.cluster;

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
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On the Linux engine the creator serves alone and its worker says why it cannot attach. */
class ClusterServerTest {

    @Test
    void theWorkerCannotAttachOnLinuxAndTheCreatorServes() throws Exception {
        assumeFalse(HttpSys.backendName().startsWith("windows"),
                "attaching to another process's request queue is HTTP.SYS's; Wine ignores queue names, so only "
                        + "real Windows can run this (docs/windows-verification.md)");
        int port = ExampleProcess.freePort();
        String queue = "cluster-test-" + port;
        try (ExampleProcess creator = ExampleProcess.start(ClusterServer.class, port, List.of("-DqueueName=" + queue),
                Map.of(), "2")) {
            creator.awaitLine(line -> line.equals("creator (pid " + creator.pid() + ") serving request queue " + queue
                    + " on http://127.0.0.1:" + port + "/"));
            String refusal = creator.awaitLine(line -> line.startsWith("worker (pid "));
            assertTrue(refusal.contains("cannot serve request queue " + queue + ": ")
                    && refusal.contains("the posix engine cannot attach"), refusal);

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("served by creator pid " + creator.pid() + "\n", response.body());
        }
    }
}
