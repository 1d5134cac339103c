package dev.nettyhttpsys.transport.differential;

import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many connections at once, each a keep-alive sequence of different requests: the answers must
 * still match NIO's one for one (requests spread over the worker loops and hop to the queue's).
 */
class ConcurrentDifferentialTest {
    @Test
    void concurrentKeepAliveConnections() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpContentCompressor(),
                new HttpObjectAggregator(1 << 20), new Handlers.Echo())))) {
            ExecutorService clients = Executors.newFixedThreadPool(16);
            try {
                List<Future<?>> runs = new ArrayList<>();
                for (int c = 0; c < 48; c++) {
                    String id = "c" + c;
                    runs.add(clients.submit(() -> {
                        servers.exchange("GET /" + id + "/a HTTP/1.1\r\nHost: t\r\nX-Test: " + id + "\r\n\r\n",
                                "POST /" + id + "/b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                                        + "4\r\n" + id.charAt(0) + "abc\r\n0\r\n\r\n",
                                "HEAD /" + id + "/c HTTP/1.1\r\nHost: t\r\n\r\n",
                                "GET /" + id + "/d HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n",
                                "POST /" + id + "/e HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n"
                                        + Differential.repeat('e', 20000));
                        return null;
                    }));
                }
                for (Future<?> run : runs) {
                    run.get(60, TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
        }
    }
}
