package dev.nettyhttpsys.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections of Netty's own HTTP (or WebSocket) client to one server, the same client
 * for every server transport (epoll where available, else NIO). {@link #run} makes every
 * connection do a number of exchanges of the scenario, {@code scenario.depth} in flight at a
 * time, and returns when all are done; a wrong status or size fails it.
 */
final class LoadClient implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 30;

    private final List<ClientConnection> connections;

    private LoadClient(List<ClientConnection> connections) {
        this.connections = connections;
    }

    /** A client event-loop group of one thread. */
    static EventLoopGroup newGroup() {
        return new MultiThreadIoEventLoopGroup(1,
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Opens {@code count} connections (WebSocket ones upgraded) to 127.0.0.1:port. */
    static LoadClient connect(EventLoopGroup group, Scenario scenario, int port, int count) throws Exception {
        ByteBuf body = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(scenario.requestBytes).writeBytes(ServerContent.pattern(scenario.requestBytes)));
        List<ClientConnection> connections = new ArrayList<>();
        LoadClient client = new LoadClient(connections);
        try {
            for (int i = 0; i < count; i++) {
                ClientConnection connection = new ClientConnection(scenario, "127.0.0.1:" + port, body);
                connections.add(connection);
                new Bootstrap()
                        .group(group)
                        .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ChannelPipeline pipeline = ch.pipeline().addLast(new HttpClientCodec());
                                if (scenario.isWebSocket()) {
                                    pipeline.addLast(new HttpObjectAggregator(8192), new WebSocketClientProtocolHandler(
                                            WebSocketClientHandshakerFactory.newHandshaker(
                                                    URI.create("ws://127.0.0.1:" + port + scenario.path),
                                                    WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE,
                                                    ScenarioHandler.MAX_FRAME_BYTES)));
                                }
                                pipeline.addLast(connection);
                            }
                        })
                        .connect("127.0.0.1", port).sync();
                await(connection.ready, scenario + ": connection " + i + " not ready");
            }
        } catch (Exception e) {
            client.close();
            throw e;
        }
        return client;
    }

    /** Every connection runs {@code exchanges} exchanges; returns when all are answered. */
    void run(int exchanges) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger busy = new AtomicInteger(connections.size());
        for (ClientConnection connection : connections) {
            connection.start(exchanges, () -> {
                if (busy.decrementAndGet() == 0) {
                    done.complete(null);
                }
            }, done::completeExceptionally);
        }
        await(done, busy + " of " + connections.size() + " connections still waiting for answers");
    }

    private static void await(CompletableFuture<?> future, String whatIfLate) throws Exception {
        try {
            future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException(whatIfLate + " after " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    @Override
    public void close() {
        for (ClientConnection connection : connections) {
            Channel channel = connection.channel();
            if (channel != null) {
                channel.close().syncUninterruptibly();
            }
        }
    }
}
