package dev.nettyhttpsys.benchmarks;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Hello-world round trips over loopback against each transport's server, in-process: one keep-alive
 * connection per benchmark thread, sequential and 16-deep pipelined. The client is a plain blocking
 * socket, the same for every transport, so differences are the server's.
 * {@code java -jar benchmarks/target/benchmarks.jar TransportBenchmark -t 4}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class TransportBenchmark {
    private static final byte[] REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: jmh\r\nAccept: */*\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final int PIPELINE_DEPTH = 16;

    /** One server per trial, with one event-loop thread like the load script. */
    @State(Scope.Benchmark)
    public static class Server {
        @Param({"httpsys", "epoll", "io_uring", "nio"})
        public String transport;

        EventLoopGroup group;
        Channel channel;
        int port;

        @Setup(Level.Trial)
        public void start() throws InterruptedException {
            Transport chosen = Transport.named(transport);
            group = new MultiThreadIoEventLoopGroup(1, chosen.factory.get());
            port = 19000 + chosen.ordinal();
            channel = HelloWorldServer.start(group, chosen, port);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            channel.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** One keep-alive connection per benchmark thread. */
    @State(Scope.Thread)
    public static class Client {
        private Socket socket;
        private OutputStream out;
        private InputStream in;
        private final byte[] pipelined = new byte[REQUEST.length * PIPELINE_DEPTH];
        private final byte[] buffer = new byte[64 * 1024];

        @Setup(Level.Trial)
        public void connect(Server server) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", server.port), 5000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
            for (int i = 0; i < PIPELINE_DEPTH; i++) {
                System.arraycopy(REQUEST, 0, pipelined, i * REQUEST.length, REQUEST.length);
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            socket.close();
        }

        /** Sends the bytes and reads until {@code responses} complete hello-world responses arrived. */
        int exchange(byte[] requests, int responses) throws IOException {
            out.write(requests);
            int seen = 0;
            int total = 0;
            while (seen < responses) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("server closed the connection after " + seen + " responses");
                }
                total += n;
                seen += countBodies(buffer, n);
            }
            return total;
        }

        // Every response ends with the 13-byte body "Hello, world!"; its last byte '!' appears
        // nowhere else in the response, so counting '!' counts responses even across reads.
        private static int countBodies(byte[] bytes, int length) {
            int count = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '!') {
                    count++;
                }
            }
            return count;
        }
    }

    @Benchmark
    public int sequential(Client client) throws IOException {
        return client.exchange(REQUEST, 1);
    }

    @Benchmark
    @OperationsPerInvocation(PIPELINE_DEPTH)
    public int pipelined16(Client client) throws IOException {
        return client.exchange(client.pipelined, PIPELINE_DEPTH);
    }
}
