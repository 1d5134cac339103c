package dev.nettyhttpsys.benchmarks;

import io.netty.handler.codec.http.HttpMethod;

import java.util.Locale;

/**
 * What a JMH client exchange is: the request (path, method, body) that {@link ScenarioHandler}
 * answers, the size of the answer the client checks, and how many requests a connection keeps in flight.
 */
enum Scenario {
    HELLO("hello", ScenarioHandler.HELLO, HttpMethod.GET, 0, 13, 1),
    HELLO_PIPELINED("hello-pipelined-16", ScenarioHandler.HELLO, HttpMethod.GET, 0, 13, 16),
    BYTES_4K("4k", ScenarioHandler.BYTES_4K, HttpMethod.GET, 0, 4 * 1024, 1),
    BYTES_64K("64k", ScenarioHandler.BYTES_64K, HttpMethod.GET, 0, 64 * 1024, 1),
    FILE_1M("file-1m", ScenarioHandler.FILE, HttpMethod.GET, 0, ServerContent.FILE_BYTES, 1),
    POST_16K("post-16k", ScenarioHandler.ECHO, HttpMethod.POST, 16 * 1024, 16 * 1024, 1),
    /** 1 KiB binary messages over one upgraded connection each; an exchange is one message and its echo. */
    WEBSOCKET_1K("websocket-1k", ScenarioHandler.WEBSOCKET, HttpMethod.GET, 1024, 1024, 1);

    private final String label;
    final String path;
    final HttpMethod method;
    /** Request body bytes (the message size for WebSocket). */
    final int requestBytes;
    /** Response body bytes (the echoed message size for WebSocket). */
    final int responseBytes;
    /** Requests a connection keeps in flight: 1 is one at a time, more is HTTP/1.1 pipelining. */
    final int depth;

    Scenario(String label, String path, HttpMethod method, int requestBytes, int responseBytes, int depth) {
        this.label = label;
        this.path = path;
        this.method = method;
        this.requestBytes = requestBytes;
        this.responseBytes = responseBytes;
        this.depth = depth;
    }

    boolean isWebSocket() {
        return this == WEBSOCKET_1K;
    }

    static Scenario named(String name) {
        for (Scenario scenario : values()) {
            if (scenario.label.equals(name.toLowerCase(Locale.ROOT))) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
