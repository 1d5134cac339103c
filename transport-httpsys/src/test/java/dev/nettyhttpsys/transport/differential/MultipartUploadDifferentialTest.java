package dev.nettyhttpsys.transport.differential;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** HttpPostRequestDecoder fed chunk by chunk (disk-backed above 16 KB), and after HttpObjectAggregator. */
class MultipartUploadDifferentialTest {
    private static final String BOUNDARY = "----differentialBoundary7MA4YWxk";

    /** Describes every part it decodes; answers the description when the request ends. */
    private static final class UploadSummary extends SimpleChannelInboundHandler<HttpObject> {
        private HttpPostRequestDecoder decoder;
        private HttpRequest request;
        private final StringBuilder summary = new StringBuilder();

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) throws IOException {
            if (msg instanceof HttpRequest) {
                request = (HttpRequest) msg;
                summary.setLength(0);  // one handler serves every request of a NIO connection
                decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(16 * 1024), request);
            }
            if (msg instanceof HttpContent && decoder != null) {
                decoder.offer((HttpContent) msg);
                drain();
                if (msg instanceof LastHttpContent) {
                    Handlers.respond(ctx, (FullHttpRequest) new io.netty.handler.codec.http.DefaultFullHttpRequest(
                            request.protocolVersion(), request.method(), request.uri(), Unpooled.EMPTY_BUFFER,
                            request.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE),
                            HttpResponseStatus.OK, Unpooled.copiedBuffer(summary, StandardCharsets.UTF_8));
                    decoder.destroy();
                    decoder = null;
                }
            }
        }

        private void drain() throws IOException {
            try {
                while (decoder.hasNext()) {
                    describe(decoder.next());
                }
            } catch (HttpPostRequestDecoder.EndOfDataDecoderException end) {
                // every part read
            }
        }

        private void describe(InterfaceHttpData data) throws IOException {
            if (data instanceof FileUpload) {
                FileUpload upload = (FileUpload) data;
                CRC32 crc = new CRC32();
                crc.update(upload.get());
                summary.append("file ").append(upload.getName()).append(' ').append(upload.getFilename()).append(' ')
                        .append(upload.getContentType()).append(' ').append(upload.length()).append(" crc=")
                        .append(Long.toHexString(crc.getValue())).append(" inMemory=").append(upload.isInMemory())
                        .append('\n');
            } else if (data instanceof Attribute) {
                summary.append("field ").append(data.getName()).append('=').append(((Attribute) data).getValue())
                        .append('\n');
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (decoder != null) {
                decoder.destroy();
            }
            super.channelInactive(ctx);
        }
    }

    /** Describes the parts of an aggregated request. */
    private static final class AggregatedSummary extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
            HttpPostRequestDecoder decoder = new HttpPostRequestDecoder(new DefaultHttpDataFactory(false), request);
            try {
                StringBuilder summary = new StringBuilder();
                for (InterfaceHttpData data : decoder.getBodyHttpDatas()) {
                    summary.append(data.getHttpDataType()).append(' ').append(data.getName()).append(' ');
                    if (data instanceof FileUpload) {
                        summary.append(((FileUpload) data).length());
                    } else {
                        summary.append(((Attribute) data).getValue());
                    }
                    summary.append('\n');
                }
                Handlers.respond(ctx, request, HttpResponseStatus.OK, Unpooled.copiedBuffer(summary, StandardCharsets.UTF_8));
            } finally {
                decoder.destroy();
            }
        }
    }

    private static byte[] multipartRequest(int fileSize) {
        byte[] file = new byte[fileSize];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 13 + (i >>> 9));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello upload\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx y z\r\n"
                + "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"data.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY
                + "\r\nContent-Length: " + body.size() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        request.writeBytes(body.toByteArray());
        return request.toByteArray();
    }

    @Test
    void streamedDecoderSmallAndLargeUploads() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new UploadSummary())))) {
            Differential.Outcome outcome = servers.exchange(multipartRequest(1000), multipartRequest(6 * 1024 * 1024 + 7));
            String large = outcome.httpsys.finalResponse(1).bodyText();
            assertTrue(large.contains("file upload data.bin application/octet-stream 6291463"), large);
            assertTrue(large.contains("inMemory=false"), large);
        }
    }

    @Test
    void aggregatedDecoder() throws Exception {
        try (Differential servers = Differential.start(Handlers.initializer(ch -> ch.pipeline().addLast(
                new HttpServerCodec(), new HttpObjectAggregator(4 * 1024 * 1024), new AggregatedSummary())))) {
            servers.exchange(multipartRequest(2 * 1024 * 1024));
        }
    }
}
