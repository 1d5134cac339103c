package dev.nettyhttpsys.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** URL prefixes added to and removed from a running server channel take effect for the next request. */
class UrlPrefixChangesTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private EventLoopGroup group;
    private HttpSysServerChannel server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, HttpSysIoHandler.newFactory());
        port = TestServer.freePort();
        server = (HttpSysServerChannel) new ServerBootstrap()
                .group(group)
                .channel(HttpSysServerChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.OK, Unpooled.copiedBuffer("served " + request.uri(),
                                        StandardCharsets.US_ASCII)));
                            }
                        });
                    }
                })
                .bind(new HttpSysServerAddress("http://+:" + port + "/a/")).sync().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Throwable failureOf(Future<Void> change) throws InterruptedException {
        assertTrue(change.await(5, TimeUnit.SECONDS), "the change completes");
        assertFalse(change.isSuccess(), "the change must fail");
        return change.cause();
    }

    @Test
    void addedPrefixServesAndRemovedPrefixStops() throws Exception {
        assertEquals(404, get("/b/x").statusCode(), "not registered yet");
        assertTrue(server.addUrlPrefix("http://+:" + port + "/b/").await(5, TimeUnit.SECONDS));
        HttpResponse<String> added = get("/b/x");
        assertEquals(200, added.statusCode());
        assertEquals("served /b/x", added.body());
        assertEquals(List.of(UrlPrefix.parse("http://+:" + port + "/a/"), UrlPrefix.parse("http://+:" + port + "/b/")),
                server.urlPrefixes());

        assertTrue(server.removeUrlPrefix("http://+:" + port + "/a/").sync().isSuccess());
        assertEquals(404, get("/a/x").statusCode(), "removed");
        assertEquals(200, get("/b/y").statusCode(), "the other prefix still serves");
        assertEquals(List.of(UrlPrefix.parse("http://+:" + port + "/b/")), server.urlPrefixes());
    }

    @Test
    void badChangesFailWithTheirReason() throws Exception {
        Throwable malformed = failureOf(server.addUrlPrefix("ftp://nope/"));
        assertInstanceOf(IllegalArgumentException.class, malformed);

        Throwable unknown = failureOf(server.removeUrlPrefix("http://+:" + port + "/never/"));
        assertInstanceOf(IllegalArgumentException.class, unknown);
        assertTrue(unknown.getMessage().contains("is not registered by this channel"), unknown.getMessage());

        Throwable duplicate = failureOf(server.addUrlPrefix("http://+:" + port + "/a/"));
        assertInstanceOf(HttpSysException.class, duplicate);
        assertTrue(duplicate.getMessage().contains("/a/"), duplicate.getMessage());
        assertEquals(200, get("/a/still").statusCode(), "a refused change leaves the server serving");
    }

    @Test
    void changesAfterCloseFail() throws Exception {
        server.close().sync();
        Throwable closed = failureOf(server.addUrlPrefix("http://+:" + port + "/c/"));
        assertInstanceOf(IllegalStateException.class, closed);
    }
}
