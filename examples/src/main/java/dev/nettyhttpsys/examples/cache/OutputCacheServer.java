package dev.nettyhttpsys.examples.cache;

import dev.nettyhttpsys.examples.common.ServerTransport;
import dev.nettyhttpsys.transport.HttpSysChannelOption;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The output cache (HTTP.SYS's kernel response cache; the Linux engine mirrors it): a cached
 * response is answered by the engine without reaching Java. The server-wide time-to-live comes
 * from {@code HTTPSYS_CACHE_DURATION} (or {@code -Dio.netty.httpsys.cacheDuration}, or the
 * {@link HttpSysChannelOption#CACHE_DURATION_SECONDS} option); {@code /ttl/N} overrides it for one
 * response with {@code HttpSysCache.setTtl}, {@code /nocache} sets 0. Every body carries the
 * number of requests the handler has seen, so a repeated number is a cache hit:
 * {@code HTTPSYS_CACHE_DURATION=30 scripts/run-example.sh cache}, then
 * {@code curl http://127.0.0.1:8080/} twice.
 */
public final class OutputCacheServer {
    private OutputCacheServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        ServerTransport transport = ServerTransport.httpSys();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
        CountingHandler handler = new CountingHandler();
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            channel.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpObjectAggregator(64 * 1024),
                                    handler);
                        }
                    })
                    .bind(port).sync().channel();
            int defaultTtl = server.config().getOption(HttpSysChannelOption.CACHE_DURATION_SECONDS);
            System.out.println("Output cache example on " + transport.name() + " listening on http://127.0.0.1:"
                    + port + "/ (default cache time-to-live " + defaultTtl + " s"
                    + (defaultTtl == 0 ? ": off, set HTTPSYS_CACHE_DURATION" : "") + ")");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
