package dev.nettyhttpsys.examples.cluster;

import dev.nettyhttpsys.examples.common.ServerTransport;
import dev.nettyhttpsys.transport.HttpSysChannelOption;
import dev.nettyhttpsys.transport.HttpSysQueueMode;
import dev.nettyhttpsys.transport.HttpSysServerAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Several processes serving one named HTTP.SYS request queue, as Node's cluster serves one
 * listening socket: this process creates the queue {@code -DqueueName} (default
 * {@code netty-httpsys-cluster}) and registers {@code http://+:PORT/}, then starts
 * {@code processes - 1} copies of itself (the first argument, default 3) that attach to the queue
 * ({@link HttpSysQueueMode#ATTACH}: no URLs or settings of their own). HTTP.SYS hands each request
 * to whichever process receives first; the answer names the process. Windows only: on Linux the
 * queue is the process's own, so the posix engine refuses to attach, and the workers say so and exit.
 */
public final class ClusterServer {
    private static final String WORKER = "--worker";

    private ClusterServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        String queueName = System.getProperty("queueName", "netty-httpsys-cluster");
        boolean worker = args.length > 0 && WORKER.equals(args[0]);
        int processes = worker || args.length == 0 ? 3 : Integer.parseInt(args[0]);
        String role = worker ? "worker" : "creator";
        ServerTransport transport = ServerTransport.httpSys();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        List<Process> workers = new ArrayList<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .option(HttpSysChannelOption.REQUEST_QUEUE_NAME, queueName)
                    .option(HttpSysChannelOption.REQUEST_QUEUE_MODE, worker ? HttpSysQueueMode.ATTACH : HttpSysQueueMode.CREATE)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    new ProcessNamingHandler(role));
                        }
                    });
            Channel server;
            try {
                // An attaching process registers no URL: the creator's prefix routes to the queue.
                server = bootstrap.bind(new HttpSysServerAddress("http://+:" + port + "/")).sync().channel();
            } catch (Exception e) {
                System.out.println(role + " (pid " + ProcessHandle.current().pid() + ") cannot serve request queue "
                        + queueName + ": " + e.getMessage());
                System.exit(1);
                return;
            }
            System.out.println(role + " (pid " + ProcessHandle.current().pid() + ") serving request queue " + queueName
                    + (worker ? "" : " on http://127.0.0.1:" + port + "/"));
            if (!worker) {
                for (int i = 1; i < processes; i++) {
                    workers.add(startWorker(port, queueName));
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> workers.forEach(Process::destroy)));
            }
            server.closeFuture().sync();
        } finally {
            workers.forEach(Process::destroy);
            group.shutdownGracefully();
        }
    }

    /** The same program, same class path, attaching to the queue; its output goes to this console. */
    private static Process startWorker(int port, String queueName) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Dport=" + port,
                "-DqueueName=" + queueName, ClusterServer.class.getName(), WORKER)
                .inheritIO()
                .start();
    }
}
