package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's cleartext HTTP/2 server, in the shape of its h2c example (an Http2ServerInitializer
 * with a HelloWorldHttp2Handler): {@code CleartextHttp2ServerUpgradeHandler} over
 * {@code HttpServerCodec} and {@code HttpServerUpgradeHandler}, an HTTP/1.1 fallback. The JDK
 * client asks for {@code Upgrade: h2c}; after the 101 the connection channel carries HTTP/2 frames.
 */
class H2cUpgradeDifferentialTest {
    private static Differential servers;

    @BeforeAll
    static void start() throws Exception {
        servers = Differential.start(Handlers.initializer(H2cUpgradeDifferentialTest::initChannel));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    /** Http2ServerInitializer's cleartext branch. */
    private static void initChannel(SocketChannel ch) {
        HttpServerCodec sourceCodec = new HttpServerCodec();
        HttpServerUpgradeHandler upgradeHandler = new HttpServerUpgradeHandler(sourceCodec, protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                        ? new Http2ServerUpgradeCodec(HelloWorldHttp2Handler.create()) : null);
        ch.pipeline().addLast(new CleartextHttp2ServerUpgradeHandler(sourceCodec, upgradeHandler,
                HelloWorldHttp2Handler.create()));
        // A request that did not ask to upgrade lands here: answer it over HTTP/1.1.
        ch.pipeline().addLast(new SimpleChannelInboundHandler<HttpMessage>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
                ctx.pipeline().addAfter(ctx.name(), null, new HelloWorldHttp1Handler());
                ctx.pipeline().replace(this, null, new HttpObjectAggregator(16 * 1024));
                ctx.fireChannelRead(io.netty.util.ReferenceCountUtil.retain(msg));
            }
        });
    }

    /** Answers each HTTP/2 stream (the upgraded request is stream 1) with "Hello World". */
    private static final class HelloWorldHttp2Handler extends Http2ConnectionHandler implements Http2FrameListener {
        static HelloWorldHttp2Handler create() {
            return new Builder().build();
        }

        private static final class Builder
                extends AbstractHttp2ConnectionHandlerBuilder<HelloWorldHttp2Handler, Builder> {
            @Override
            public HelloWorldHttp2Handler build() {
                return super.build();
            }

            @Override
            protected HelloWorldHttp2Handler build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                                   Http2Settings initialSettings) {
                HelloWorldHttp2Handler handler = new HelloWorldHttp2Handler(decoder, encoder, initialSettings);
                frameListener(handler);
                return handler;
            }
        }

        private HelloWorldHttp2Handler(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                       Http2Settings settings) {
            super(decoder, encoder, settings);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof HttpServerUpgradeHandler.UpgradeEvent) {
                respond(ctx, 1, "via upgrade");  // the upgrade request itself is stream 1
            }
            super.userEventTriggered(ctx, event);
        }

        private void respond(ChannelHandlerContext ctx, int streamId, String how) {
            ByteBuf payload = Unpooled.copiedBuffer("Hello World " + how, CharsetUtil.UTF_8);
            Http2Headers headers = new DefaultHttp2Headers().status(HttpResponseStatus.OK.codeAsText());
            encoder().writeHeaders(ctx, streamId, headers, 0, false, ctx.newPromise());
            encoder().writeData(ctx, streamId, payload, 0, true, ctx.newPromise());
            flush(ctx);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
            if (end) {
                respond(ctx, streamId, "for data");
            }
            return data.readableBytes() + padding;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean end) {
            if (end) {
                respond(ctx, streamId, "for " + headers.path());
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int dependency,
                                  short weight, boolean exclusive, int padding, boolean end) {
            onHeadersRead(ctx, streamId, headers, padding, end);
        }

        @Override
        public void onPriorityRead(ChannelHandlerContext ctx, int streamId, int dependency, short weight,
                                   boolean exclusive) {
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        }

        @Override
        public void onSettingsAckRead(ChannelHandlerContext ctx) {
        }

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
        }

        @Override
        public void onPingRead(ChannelHandlerContext ctx, long data) {
        }

        @Override
        public void onPingAckRead(ChannelHandlerContext ctx, long data) {
        }

        @Override
        public void onPushPromiseRead(ChannelHandlerContext ctx, int streamId, int promisedStreamId,
                                      Http2Headers headers, int padding) {
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        }

        @Override
        public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int windowSizeIncrement) {
        }

        @Override
        public void onUnknownFrame(ChannelHandlerContext ctx, byte frameType, int streamId, Http2Flags flags,
                                   ByteBuf payload) {
        }
    }

    /** The example's HTTP/1.1 answer. */
    private static final class HelloWorldHttp1Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("Hello World over HTTP/1.1", CharsetUtil.UTF_8));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(response);
        }
    }

    private static String fetch(ServerUnderTest server, HttpClient.Version version, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
        StringBuilder transcript = new StringBuilder();
        for (int i = 0; i < 2; i++) {  // the second request reuses the connection (HTTP/2 after the upgrade)
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port + path + i)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            transcript.append(response.version()).append(' ').append(response.statusCode()).append(' ')
                    .append(response.body()).append('\n');
        }
        return transcript.toString();
    }

    @Test
    void upgradeToH2cAnswersOverHttp2() throws Exception {
        String onNio = fetch(servers.nio, HttpClient.Version.HTTP_2, "/h2/");
        String onHttpSys = fetch(servers.httpsys, HttpClient.Version.HTTP_2, "/h2/");
        assertEquals(onNio, onHttpSys);
        assertEquals("HTTP_2 200 Hello World via upgrade\nHTTP_2 200 Hello World for /h2/1\n", onHttpSys);
    }

    @Test
    void http11WithoutUpgradeFallsBackToTheHttp1Handler() throws Exception {
        assertEquals(fetch(servers.nio, HttpClient.Version.HTTP_1_1, "/plain/"),
                fetch(servers.httpsys, HttpClient.Version.HTTP_1_1, "/plain/"));
    }

    /** Documented difference: HTTP.SYS speaks HTTP/2 only over TLS, so the engine refuses prior knowledge. */
    @Test
    void priorKnowledgeGetsTheEnginesGoAwayAndAClose() throws Exception {
        try (RawConnection connection = new RawConnection(servers.httpsys.port)) {
            ByteArrayOutputStream preface = new ByteArrayOutputStream();
            preface.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            preface.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});  // an empty SETTINGS frame
            connection.send(preface.toByteArray());
            byte[] answer = connection.readUntilClosed();
            assertTrue(answer.length >= 26, "SETTINGS and GOAWAY frames: " + answer.length + " bytes");
            assertEquals(4, answer[3], "the server's preface: SETTINGS");
            assertEquals(7, answer[12], "then GOAWAY");
            assertEquals(0x0d, answer[25], "with HTTP_1_1_REQUIRED");
            assertTrue(new String(answer, StandardCharsets.US_ASCII).contains("without TLS"));
        }
    }
}
