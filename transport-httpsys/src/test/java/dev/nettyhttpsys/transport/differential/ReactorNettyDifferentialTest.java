package dev.nettyhttpsys.transport.differential;

import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactor Netty's {@code HttpServer} (the server under Spring WebFlux) on this transport, started
 * through a {@link LoopResources} that returns our group and server channel, against the same
 * server on NIO: a channel per connection, {@code maxKeepAliveRequests}, {@code idleTimeout},
 * closing the connection from a handler and its default port 0 must behave alike.
 */
class ReactorNettyDifferentialTest {
    /** A loop group and a server channel class, as Reactor asks for them. */
    private static final class Loops implements LoopResources {
        private final EventLoopGroup group;
        private final Supplier<? extends ServerChannel> serverChannel;

        Loops(IoHandlerFactory factory, Supplier<? extends ServerChannel> serverChannel) {
            this.group = new MultiThreadIoEventLoopGroup(2, factory);
            this.serverChannel = serverChannel;
        }

        @Override
        public EventLoopGroup onServer(boolean useNative) {
            return group;
        }

        @SuppressWarnings("unchecked")
        @Override
        public <CHANNEL extends Channel> CHANNEL onChannel(Class<CHANNEL> channelType, EventLoopGroup eventLoopGroup) {
            if (!ServerSocketChannel.class.isAssignableFrom(channelType)) {
                throw new UnsupportedOperationException("this test only serves: " + channelType.getName());
            }
            return (CHANNEL) serverChannel.get();
        }

        @Override
        public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
            return Mono.fromRunnable(() -> group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly());
        }
    }

    private static List<String> onBoth(UnaryOperator<HttpServer> configure, Scenario scenario) throws Exception {
        List<String> seen = new ArrayList<>();
        for (boolean httpsys : new boolean[] {false, true}) {
            Loops loops = httpsys ? new Loops(HttpSysIoHandler.newFactory(), HttpSysServerChannel::new)
                    : new Loops(NioIoHandler.newFactory(), NioServerSocketChannel::new);
            DisposableServer server = configure.apply(HttpServer.create().runOn(loops)).bindNow(Duration.ofSeconds(10));
            try {
                assertTrue(server.port() > 0, "port 0 became a real port: " + server.port());
                seen.add(scenario.run(server.port()));
            } finally {
                server.disposeNow(Duration.ofSeconds(10));
                loops.disposeLater().block(Duration.ofSeconds(10));
            }
        }
        return seen;
    }

    private interface Scenario {
        String run(int port) throws IOException;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n";
    }

    /** The ids of the channels that served three requests of one keep-alive connection, and of another. */
    @Test
    void aChannelPerConnection() throws Exception {
        List<String> seen = onBoth(server -> server.handle((request, response) ->
                response.sendString(Mono.just(((Connection) request).channel().id().asShortText()))), port -> {
            List<String> ids = new ArrayList<>();
            for (int connection = 0; connection < 2; connection++) {
                try (RawConnection raw = new RawConnection(port)) {
                    for (int i = 0; i < 3; i++) {
                        raw.send(get("/" + i));
                        ids.add(raw.readExchange(false).get(0).bodyText());
                    }
                }
            }
            return (ids.subList(0, 3).stream().distinct().count()) + " channel(s) for one connection, "
                    + (ids.get(0).equals(ids.get(3)) ? "the same" : "another") + " for the next";
        });
        assertEquals(seen.get(0), seen.get(1));
        assertEquals("1 channel(s) for one connection, another for the next", seen.get(1));
    }

    @Test
    void maxKeepAliveRequestsEndsTheConnection() throws Exception {
        List<String> seen = onBoth(server -> server.maxKeepAliveRequests(2)
                .handle((request, response) -> response.sendString(Mono.just("ok"))), port -> {
            StringBuilder transcript = new StringBuilder();
            try (RawConnection raw = new RawConnection(port)) {
                for (int i = 0; i < 2; i++) {
                    raw.send(get("/" + i));
                    RawResponse response = raw.readExchange(false).get(0);
                    transcript.append(response.status).append(" connection=").append(response.header("connection"))
                            .append("; ");
                }
                transcript.append("closed=").append(raw.closesWithin(3000));
            }
            return transcript.toString();
        });
        assertEquals(seen.get(0), seen.get(1));
        assertTrue(seen.get(1).endsWith("closed=true"), seen.get(1));
    }

    @Test
    void idleTimeoutClosesAnIdleConnection() throws Exception {
        List<String> seen = onBoth(server -> server.idleTimeout(Duration.ofMillis(300))
                .handle((request, response) -> response.sendString(Mono.just("ok"))), port -> {
            try (RawConnection raw = new RawConnection(port)) {
                raw.send(get("/once"));
                int status = raw.readExchange(false).get(0).status;
                return status + " closed while idle=" + raw.closesWithin(5000);
            }
        });
        assertEquals(seen.get(0), seen.get(1));
        assertEquals("200 closed while idle=true", seen.get(1));
    }

    @Test
    void closingTheChannelFromAHandlerEndsTheConnection() throws Exception {
        List<String> seen = onBoth(server -> server.handle((request, response) -> {
            Channel channel = ((Connection) request).channel();  // the request's view ends with the response
            return Mono.from(response.sendString(Mono.just("bye"))).then(Mono.fromRunnable(channel::close));
        }), port -> {
            try (RawConnection raw = new RawConnection(port)) {
                raw.send(get("/bye"));
                RawResponse response = raw.readExchange(false).get(0);
                return response.status + " " + response.bodyText() + " closed=" + raw.closesWithin(3000);
            }
        });
        assertEquals(seen.get(0), seen.get(1));
        assertEquals("200 bye closed=true", seen.get(1));
    }
}
