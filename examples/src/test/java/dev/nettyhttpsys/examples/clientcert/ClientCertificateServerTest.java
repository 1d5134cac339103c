package dev.nettyhttpsys.examples.clientcert;

import dev.nettyhttpsys.examples.ExampleProcess;
import dev.nettyhttpsys.transport.HttpSys;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On the Linux engine the client-certificate example cannot serve, and says why. */
class ClientCertificateServerTest {

    @Test
    void explainsThatItNeedsWindows() throws Exception {
        assumeFalse(HttpSys.backendName().startsWith("windows"),
                "on HTTP.SYS the example needs a certificate bound with netsh http add sslcert, which a test cannot make");
        int port = ExampleProcess.freePort();
        try (ExampleProcess server = ExampleProcess.start(ClientCertificateServer.class, port, List.of(), Map.of())) {
            assertEquals(1, server.awaitExit(), server.output());
            String output = server.output();
            assertTrue(output.contains("Cannot register https://+:" + port + "/: "), output);
            assertTrue(output.contains("https prefixes need TLS"), output);
            assertTrue(output.contains("Client certificates need Windows"), output);
        }
    }
}
