package dev.nettyhttpsys.transport.differential;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedFile;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Files and streams sent the ways Netty's file server examples send them: ChunkedWriteHandler
 * with HttpChunkedInput (ChunkedFile, ChunkedNioFile, ChunkedStream), and DefaultFileRegion
 * (zero-copy: sendfile in the Linux engine, a file-handle data chunk on HTTP.SYS).
 */
class FileTransferDifferentialTest {
    private static final int FILE_SIZE = 3 * 1024 * 1024 + 12345;
    private static File file;
    private static byte[] content;
    private static Differential servers;

    /** Serves the file by URI: /chunked-file, /chunked-nio, /chunked-stream, /region, /range. */
    private static final class FileServer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String uri = request.uri();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpResponse head = new DefaultHttpResponse(request.protocolVersion(), HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            if (!keepAlive) {
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ChannelFuture last;
            if (uri.startsWith("/unsized-region")) {
                // No length: chunked here (size line, the file by handle, CRLF), close-delimited on NIO.
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(head);
                ctx.write(new DefaultFileRegion(file, 0, 70_000));
                ctx.write(new DefaultFileRegion(file, 70_000, 30_000));
                last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                last.addListener(ChannelFutureListener.CLOSE);
            } else if (uri.startsWith("/copied-region")) {
                // A region the transport cannot send by handle (a subclass may change transferTo): copied.
                HttpUtil.setContentLength(head, 200_000);
                ctx.write(head);
                ctx.write(new DefaultFileRegion(file, 5, 200_000) { });
                last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else if (uri.startsWith("/region") || uri.startsWith("/range")) {
                boolean range = uri.startsWith("/range");
                long offset = range ? 1000 : 0;
                long length = range ? 100_000 : FILE_SIZE;
                HttpUtil.setContentLength(head, length);
                ctx.write(head);
                if (range) {
                    // A region over a channel the handler opened: closed when the region is released.
                    FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
                    ctx.write(new DefaultFileRegion(channel, offset, length));
                } else {
                    ctx.write(new DefaultFileRegion(file, offset, length));
                }
                last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            } else {
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.write(head);
                HttpChunkedInput input;
                if (uri.startsWith("/chunked-file")) {
                    input = new HttpChunkedInput(new ChunkedFile(new RandomAccessFile(file, "r"), 0, FILE_SIZE, 8192));
                } else if (uri.startsWith("/chunked-nio")) {
                    input = new HttpChunkedInput(new ChunkedNioFile(file));
                } else {
                    input = new HttpChunkedInput(new ChunkedStream(new ByteArrayInputStream(content), 4096));
                }
                last = ctx.writeAndFlush(input);
            }
            if (!keepAlive) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        file = File.createTempFile("differential", ".bin");
        file.deleteOnExit();
        content = new byte[FILE_SIZE];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 7 + i / 251);
        }
        Files.write(file.toPath(), content);
        servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(new HttpServerCodec(),
                new HttpObjectAggregator(1024), new ChunkedWriteHandler(), new FileServer())));
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
        if (file != null) {
            file.delete();
        }
    }

    @Test
    void chunkedFile() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /chunked-file HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /chunked-nio HTTP/1.1\r\nHost: t\r\n\r\n");
        assertArrayEquals(content, outcome.httpsys.finalResponse(0).body);
        assertArrayEquals(content, outcome.httpsys.finalResponse(1).body);
    }

    @Test
    void chunkedStream() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /chunked-stream HTTP/1.1\r\nHost: t\r\n\r\n");
        assertArrayEquals(content, outcome.httpsys.last().body);
    }

    @Test
    void defaultFileRegion() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /region HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /range HTTP/1.1\r\nHost: t\r\n\r\n", "GET /region HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertArrayEquals(content, outcome.httpsys.finalResponse(0).body);
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 101_000), outcome.httpsys.finalResponse(1).body);
        assertEquals(true, outcome.httpsys.serverClosed);
    }

    @Test
    void headOfFileResponses() throws Exception {
        servers.exchange("HEAD /region HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD /chunked-file HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /range HTTP/1.1\r\nHost: t\r\n\r\n");
    }

    @Test
    void http10FileRegion() throws Exception {
        servers.exchange("GET /region HTTP/1.0\r\n\r\n");
    }

    @Test
    void regionWithoutAHandleIsCopied() throws Exception {
        Differential.Outcome outcome = servers.exchange("GET /copied-region HTTP/1.1\r\nHost: t\r\n\r\n",
                "GET /copied-region HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertArrayEquals(Arrays.copyOfRange(content, 5, 200_005), outcome.httpsys.finalResponse(0).body);
    }

    /** Documented difference (see HandlerPipelinesDifferentialTest): chunked here, close-delimited on NIO; same bytes. */
    @Test
    void unsizedRegionsAreChunked() throws Exception {
        Differential.Outcome outcome = servers.observeBoth("GET /unsized-region HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(RawResponse.Framing.CLOSE, outcome.nio.last().framing);
        assertEquals(RawResponse.Framing.CHUNKED, outcome.httpsys.last().framing);
        assertArrayEquals(Arrays.copyOfRange(content, 0, 100_000), outcome.nio.last().body);
        assertArrayEquals(outcome.nio.last().body, outcome.httpsys.last().body);
        assertEquals(true, outcome.httpsys.serverClosed);
    }
}
