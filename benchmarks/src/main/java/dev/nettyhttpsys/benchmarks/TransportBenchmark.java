package dev.nettyhttpsys.benchmarks;

import io.netty.channel.EventLoopGroup;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Round trips over loopback against each transport's {@link BenchmarkServer} (one event-loop
 * thread), in-process, for every {@link Scenario}: hello world (one at a time, and 16-deep
 * pipelined), 4 KiB and 64 KiB bodies, a 1 MiB {@code DefaultFileRegion}, a 16 KiB POST echo and
 * 1 KiB WebSocket messages. The client is Netty's own ({@link LoadClient}, one event-loop thread),
 * the same for every server: {@value #CONNECTIONS} keep-alive connections per benchmark thread,
 * each doing {@value #EXCHANGES} exchanges per invocation. Score: exchanges (responses, or echoed
 * messages) per second.
 * {@code java -jar benchmarks/target/benchmarks.jar TransportBenchmark} (or {@code benchmarks/jmh.sh}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TransportBenchmark {
    static final int CONNECTIONS = 8;
    static final int EXCHANGES = 16;

    /** One server and one client event loop per trial. */
    @State(Scope.Benchmark)
    public static class Server {
        @Param({"httpsys", "httpsys-cached", "epoll", "io_uring", "nio"})
        public String transport;

        @Param({"hello", "hello-pipelined-16", "4k", "64k", "file-1m", "post-16k", "websocket-1k"})
        public String scenario;

        BenchmarkServer server;
        EventLoopGroup clientGroup;

        @Setup(Level.Trial)
        public void start() {
            server = BenchmarkServer.start(Transport.named(transport), 0, 1);
            clientGroup = LoadClient.newGroup();
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            if (clientGroup != null) {
                clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** The connections of one benchmark thread. */
    @State(Scope.Thread)
    public static class Client {
        LoadClient connections;

        @Setup(Level.Trial)
        public void connect(Server server) throws Exception {
            connections = LoadClient.connect(server.clientGroup, Scenario.named(server.scenario), server.server.port(),
                    CONNECTIONS);
        }

        @TearDown(Level.Trial)
        public void close() {
            if (connections != null) {
                connections.close();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(CONNECTIONS * EXCHANGES)
    public void exchange(Client client) throws Exception {
        client.connections.run(EXCHANGES);
    }
}
