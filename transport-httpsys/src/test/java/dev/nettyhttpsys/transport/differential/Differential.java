package dev.nettyhttpsys.transport.differential;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pair of servers running the same initializer, one on NIO and one on this transport, and the
 * comparison of what they answer to the same bytes.
 *
 * <p>Header fields left out of the comparison, each owned by HTTP.SYS rather than the pipeline:
 * <ul>
 *   <li>{@code Date}: HTTP.SYS (and the Linux engine) add it to every response; NIO pipelines send
 *       it only when a handler sets it. Its presence on the HTTP.SYS side is asserted instead.</li>
 *   <li>{@code Server}: HTTP.SYS on Windows appends {@code Microsoft-HTTPAPI/2.0} unless the
 *       response sets one; the Linux engine adds none. Compared when the NIO side has one.</li>
 * </ul>
 * Fields are compared by name, case-insensitively, with the values of one name in order: HTTP.SYS
 * writes known fields with their canonical names (Netty's constants are lower case) and in its own
 * order across names, neither of which carries meaning (RFC 9110 5.1, 5.3).
 * Everything else (status, reason, every other field and its values, framing, body, trailers,
 * interim responses, who closes the connection) must be equal, except differences a case asserts
 * explicitly.
 */
final class Differential implements AutoCloseable {
    final ServerUnderTest nio;
    final ServerUnderTest httpsys;

    private Differential(ServerUnderTest nio, ServerUnderTest httpsys) {
        this.nio = nio;
        this.httpsys = httpsys;
    }

    static Differential start(ChannelInitializer<SocketChannel> initializer) throws Exception {
        return start(initializer, b -> { });
    }

    /** The very same initializer instance serves both servers (ChannelInitializer is sharable). */
    static Differential start(ChannelInitializer<SocketChannel> initializer, Consumer<ServerBootstrap> customizer)
            throws Exception {
        return start(initializer, customizer, b -> { });
    }

    /** As above, plus settings only this transport has (HttpSysChannelOption), for cases about them. */
    static Differential start(ChannelInitializer<SocketChannel> initializer, Consumer<ServerBootstrap> customizer,
                              Consumer<ServerBootstrap> httpsysOnly) throws Exception {
        ServerUnderTest nio = ServerUnderTest.start(ServerUnderTest.Kind.NIO, initializer, customizer);
        try {
            return new Differential(nio, ServerUnderTest.start(ServerUnderTest.Kind.HTTPSYS, initializer,
                    customizer.andThen(httpsysOnly)));
        } catch (Exception e) {
            nio.close();
            throw e;
        }
    }

    /** What one connection saw. */
    static final class Observation {
        final List<List<RawResponse>> exchanges = new ArrayList<>();
        boolean serverClosed;

        RawResponse last() {
            List<RawResponse> exchange = exchanges.get(exchanges.size() - 1);
            return exchange.get(exchange.size() - 1);
        }

        RawResponse finalResponse(int exchange) {
            List<RawResponse> responses = exchanges.get(exchange);
            return responses.get(responses.size() - 1);
        }
    }

    /** Both observations of one script, already compared. */
    static final class Outcome {
        final Observation nio;
        final Observation httpsys;

        Outcome(Observation nio, Observation httpsys) {
            this.nio = nio;
            this.httpsys = httpsys;
        }
    }

    /**
     * Sends the requests one after the other on one connection to each server, reading each
     * answer before the next request; when the last answer closes the connection, checks that the
     * server really does. Then compares the two sides.
     */
    Outcome exchange(String... requests) throws IOException {
        byte[][] bytes = new byte[requests.length][];
        for (int i = 0; i < requests.length; i++) {
            bytes[i] = requests[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return exchange(bytes);
    }

    Outcome exchange(byte[]... requests) throws IOException {
        Outcome outcome = observeBoth(requests);
        assertSame(requests, outcome.nio, outcome.httpsys);
        return outcome;
    }

    /**
     * As {@link #exchange}, then watches the connection for watchMillis whether the server ends
     * it unannounced (a handler's close(), an idle timeout): both servers must do the same.
     */
    Outcome exchangeAndWatch(int watchMillis, String... requests) throws IOException {
        byte[][] bytes = new byte[requests.length][];
        for (int i = 0; i < requests.length; i++) {
            bytes[i] = requests[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        Outcome outcome = new Outcome(observe(nio, bytes, watchMillis), observe(httpsys, bytes, watchMillis));
        assertSame(bytes, outcome.nio, outcome.httpsys);
        return outcome;
    }

    /**
     * Sends all requests in one write (pipelined), then reads the answers in order; compared as
     * {@link #exchange} compares.
     */
    Outcome pipelined(String... requests) throws IOException {
        byte[][] bytes = new byte[requests.length][];
        for (int i = 0; i < requests.length; i++) {
            bytes[i] = requests[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        Outcome outcome = new Outcome(observePipelined(nio, bytes), observePipelined(httpsys, bytes));
        assertSame(bytes, outcome.nio, outcome.httpsys);
        return outcome;
    }

    private static Observation observePipelined(ServerUnderTest server, byte[][] requests) throws IOException {
        Observation observation = new Observation();
        try (RawConnection connection = new RawConnection(server.port)) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] request : requests) {
                all.write(request);
            }
            connection.send(all.toByteArray());
            for (byte[] request : requests) {
                observation.exchanges.add(connection.readExchange(isHead(request)));
            }
            if (announcesClose(observation.last(), requests[requests.length - 1])) {
                observation.serverClosed = connection.awaitServerClose();
            }
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(server + " failed the pipelined exchange after " + observation.exchanges, e);
        }
        return observation;
    }

    /** Runs the requests on both servers without comparing: for cases that assert a documented difference. */
    Outcome observeBoth(String... requests) throws IOException {
        byte[][] bytes = new byte[requests.length][];
        for (int i = 0; i < requests.length; i++) {
            bytes[i] = requests[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return observeBoth(bytes);
    }

    Outcome observeBoth(byte[]... requests) throws IOException {
        return new Outcome(observe(nio, requests), observe(httpsys, requests));
    }

    /**
     * The client side of {@code Expect: 100-continue} done right: send the head, wait for an
     * answer, and send the body only after a 100 (a final answer instead means "don't").
     */
    Outcome expectContinue(String head, String body) throws IOException {
        Outcome outcome = observeExpectContinue(head, body);
        byte[] request = (head + body).getBytes(StandardCharsets.ISO_8859_1);
        assertSame(new byte[][] {request}, outcome.nio, outcome.httpsys);
        return outcome;
    }

    /** As {@link #expectContinue} without comparing. */
    Outcome observeExpectContinue(String head, String body) throws IOException {
        return new Outcome(observeExpectContinue(nio, head, body), observeExpectContinue(httpsys, head, body));
    }

    private static Observation observeExpectContinue(ServerUnderTest server, String head, String body) throws IOException {
        Observation observation = new Observation();
        try (RawConnection connection = new RawConnection(server.port)) {
            connection.send(head);
            RawResponse first = connection.read(false);
            List<RawResponse> responses = new ArrayList<>(List.of(first));
            if (first.status == 100) {
                connection.send(body);
                responses.addAll(connection.readExchange(false));
            }
            observation.exchanges.add(responses);
            RawResponse last = observation.last();
            if ("close".equalsIgnoreCase(last.header("connection"))) {
                observation.serverClosed = connection.awaitServerClose();
            }
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(server + " failed the exchange after " + observation.exchanges, e);
        }
        return observation;
    }

    private static Observation observe(ServerUnderTest server, byte[][] requests) throws IOException {
        return observe(server, requests, 0);
    }

    private static Observation observe(ServerUnderTest server, byte[][] requests, int watchMillis) throws IOException {
        Observation observation = new Observation();
        try (RawConnection connection = new RawConnection(server.port)) {
            for (byte[] request : requests) {
                connection.send(request);
                observation.exchanges.add(connection.readExchange(isHead(request)));
            }
            if (announcesClose(observation.last(), requests[requests.length - 1])) {
                observation.serverClosed = connection.awaitServerClose();
            } else if (watchMillis > 0) {
                observation.serverClosed = connection.closesWithin(watchMillis);
            }
        } catch (IOException | RuntimeException e) {
            throw new AssertionError(server + " failed the exchange after " + observation.exchanges, e);
        }
        return observation;
    }

    /** The response says the connection ends: close-delimited, Connection: close, or HTTP/1.0 without keep-alive. */
    private static boolean announcesClose(RawResponse last, byte[] request) {
        String connection = last.header("connection");
        return last.framing == RawResponse.Framing.CLOSE || "close".equalsIgnoreCase(connection)
                || isHttp10(request) && !"keep-alive".equalsIgnoreCase(connection);
    }

    static boolean isHead(byte[] request) {
        return request.length > 5 && new String(request, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
    }

    static boolean isHttp10(byte[] request) {
        String text = new String(request, 0, Math.min(request.length, 4096), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n");
        return end > 0 && text.substring(0, end).endsWith("HTTP/1.0");
    }

    private static void assertSame(byte[][] requests, Observation onNio, Observation onHttpSys) {
        assertEquals(onNio.exchanges.size(), onHttpSys.exchanges.size(), "exchanges");
        for (int i = 0; i < onNio.exchanges.size(); i++) {
            List<RawResponse> a = onNio.exchanges.get(i);
            List<RawResponse> b = onHttpSys.exchanges.get(i);
            int request = i;
            assertEquals(a.size(), b.size(), () -> "responses (interim included) to request " + request + ": nio " + a
                    + " httpsys " + b);
            for (int j = 0; j < a.size(); j++) {
                assertSameResponse(isHttp10(requests[i]), a.get(j), b.get(j));
            }
        }
        assertEquals(onNio.serverClosed, onHttpSys.serverClosed, "server closed the connection");
    }

    static void assertSameResponse(boolean http10Request, RawResponse nio, RawResponse httpsys) {
        String context = "\n nio:     " + nio + "\n httpsys: " + httpsys;
        TreeMap<String, List<String>> httpsysHeaders = comparable(httpsys.headers, nio);
        if (http10Request) {
            // HTTP.SYS answers with its own version, HTTP/1.1, as RFC 9110 2.5 lets a server do;
            // Netty writes whatever version the handler put in the response. An HTTP/1.1 response
            // that ends the connection must say Connection: close (RFC 9112 9.6), where HTTP/1.0
            // closes by default: that field is the version's, not the pipeline's (the closing
            // itself is compared through Observation.serverClosed).
            assertEquals("HTTP/1.1", httpsys.version, context);
            if (nio.header("connection") == null && "close".equals(httpsys.header("connection"))) {
                httpsysHeaders.remove("connection");
            }
        } else {
            assertEquals(nio.version, httpsys.version, context);
        }
        assertEquals(nio.status, httpsys.status, "status" + context);
        assertEquals(nio.reason, httpsys.reason, "reason" + context);
        if (httpsys.status >= 200) {
            assertNotNull(httpsys.header("date"), "the engine adds Date" + context);
        }
        assertEquals(comparable(nio.headers, nio), httpsysHeaders, "headers" + context);
        assertEquals(nio.framing, httpsys.framing, "framing" + context);
        assertArrayEquals(nio.body, httpsys.body, () -> "body" + context);
        assertEquals(RawResponse.byName(nio.trailers), RawResponse.byName(httpsys.trailers), "trailers" + context);
    }

    private static TreeMap<String, List<String>> comparable(List<Map.Entry<String, String>> headers, RawResponse nio) {
        TreeMap<String, List<String>> map = RawResponse.byName(headers);
        map.remove("date");
        if (nio.header("server") == null) {
            map.remove("server");
        }
        return map;
    }

    static String repeat(char c, int count) {
        char[] chars = new char[count];
        Arrays.fill(chars, c);
        return new String(chars);
    }

    @Override
    public void close() {
        try {
            nio.close();
        } finally {
            httpsys.close();
        }
    }

    static void assertClosedWithoutResponse(byte[] seen, String server) {
        assertTrue(seen.length == 0, () -> server + " answered " + new String(seen, StandardCharsets.ISO_8859_1));
    }
}
