package dev.nettyhttpsys.benchmarks.soak;

import dev.nettyhttpsys.codec.HttpSysCache;
import dev.nettyhttpsys.transport.HttpSysEngineStats;
import dev.nettyhttpsys.transport.HttpSysIoHandler;
import dev.nettyhttpsys.transport.HttpSysServerChannel;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.internal.PlatformDependent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The soak run's server, on this transport with one event loop:
 * {@code GET /hello}, {@code GET /64k}, {@code POST /echo} (the body back), {@code GET /cached}
 * (a 60 s output-cache TTL: hits never reach Java), WebSocket echo on {@code /ws}, and
 * {@code GET /stats}: one CSV line of the process's RSS, open descriptors, direct memory and the
 * engine's counters, for the sampler.
 *
 * <p>{@code java -cp benchmarks.jar dev.nettyhttpsys.benchmarks.soak.SoakServer PORT}
 */
public final class SoakServer {
    /** Column names of the /stats line. */
    public static final String STATS_HEADER = "rss_kb,fds,direct_bytes,heap_used_bytes,connections,live_requests,"
            + "pending_completions,record_arena_bytes,cache_entries,cache_bytes";

    private static final ByteBuf HELLO = Unpooled.unreleasableBuffer(Unpooled.directBuffer()
            .writeBytes("Hello, world!".getBytes(StandardCharsets.US_ASCII))).asReadOnly();
    private static final ByteBuf SIXTY_FOUR_K = Unpooled.unreleasableBuffer(Unpooled.directBuffer(65536)
            .writeZero(65536)).asReadOnly();

    private SoakServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18500;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        try {
            HttpSysServerChannel[] server = new HttpSysServerChannel[1];
            ChannelHandler handler = new Routes(() -> server[0]);
            Channel channel = new ServerBootstrap().group(group).channel(HttpSysServerChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                                    new HttpObjectAggregator(1 << 20), new WebSocketServerProtocolHandler("/ws"),
                                    new WebSocketEcho(), handler);
                        }
                    }).bind(new InetSocketAddress(port)).sync().channel();
            server[0] = (HttpSysServerChannel) channel;
            System.out.println("COLUMNS " + STATS_HEADER);
            System.out.println("READY soak server on port " + port);
            channel.closeFuture().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        }
    }

    /** Echoes text frames. */
    private static final class WebSocketEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(frame.retain());
        }
    }

    @ChannelHandler.Sharable
    private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Supplier<HttpSysServerChannel> server;

        Routes(Supplier<HttpSysServerChannel> server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = request.uri();
            FullHttpResponse response;
            switch (path) {
                case "/hello":
                    response = ok(HELLO.duplicate());
                    break;
                case "/64k":
                    response = ok(SIXTY_FOUR_K.duplicate());
                    break;
                case "/echo":
                    response = ok(request.content().retain());
                    break;
                case "/cached":
                    response = ok(HELLO.duplicate());
                    HttpSysCache.setTtl(response, Duration.ofSeconds(60));
                    break;
                case "/stats":
                    server.get().engineStats().addListener(f -> {
                        String line = f.isSuccess() ? stats((HttpSysEngineStats) f.getNow()) : "error " + f.cause();
                        FullHttpResponse stats = ok(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
                        stats.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, stats.content().readableBytes());
                        ctx.writeAndFlush(stats);
                    });
                    return;
                default:
                    response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                            Unpooled.EMPTY_BUFFER);
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            ctx.writeAndFlush(response);
        }

        private static FullHttpResponse ok(ByteBuf body) {
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        }

        private static String stats(HttpSysEngineStats engine) throws IOException {
            Runtime runtime = Runtime.getRuntime();
            long direct = PlatformDependent.usedDirectMemory() + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            return rssKilobytes() + "," + openDescriptors() + "," + direct + ","
                    + (runtime.totalMemory() - runtime.freeMemory()) + "," + engine.openConnections() + ","
                    + engine.liveRequests() + "," + engine.pendingCompletions() + "," + engine.recordArenaBytes() + ","
                    + engine.cacheEntries() + "," + engine.cacheBytes();
        }

        private static long rssKilobytes() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        }

        private static long openDescriptors() throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                return fds.count();
            }
        }
    }
}
