package dev.nettyhttpsys.examples.portsharing;

import dev.nettyhttpsys.examples.common.ServerTransport;
import dev.nettyhttpsys.transport.HttpSysServerAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Serves one application per argument ({@code app1 app2 ...}, default {@code app1}) on one port,
 * each on its own server channel (its own HTTP.SYS request queue) bound to the URL prefix
 * {@code http://+:PORT/<app>/}. HTTP.SYS routes each request to the queue whose prefix matches, so
 * two processes share a port: {@code run-example.sh portsharing app1} and
 * {@code run-example.sh portsharing app2}, then {@code curl http://127.0.0.1:8080/app1/} and
 * {@code .../app2/}. On Linux the posix engine shares a port between the server channels of one
 * process only ({@code run-example.sh portsharing app1 app2}); a second process is refused with
 * the reason. Needs the HTTP.SYS transport: NIO and epoll cannot route by URL prefix.
 */
public final class PortSharingServer {
    private PortSharingServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        List<String> apps = args.length == 0 ? List.of("app1") : List.of(args);
        ServerTransport transport = ServerTransport.httpSys();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        try {
            List<Channel> servers = new ArrayList<>();
            for (String app : apps) {
                String prefix = "http://+:" + port + "/" + app + "/";
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannelClass())
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel channel) {
                                channel.pipeline().addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(64 * 1024),
                                        new AppHandler(app));
                            }
                        });
                try {
                    servers.add(bootstrap.bind(new HttpSysServerAddress(prefix)).sync().channel());
                } catch (Exception e) {
                    System.out.println("Cannot register " + prefix + ": " + e.getMessage());
                    System.exit(1);
                }
                System.out.println(app + " listening on " + prefix + " (pid " + ProcessHandle.current().pid() + ")");
            }
            for (Channel server : servers) {
                server.closeFuture().sync();
            }
        } finally {
            group.shutdownGracefully();
        }
    }
}
