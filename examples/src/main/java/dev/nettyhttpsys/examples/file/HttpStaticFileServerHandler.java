package dev.nettyhttpsys.examples.file;

import dev.nettyhttpsys.examples.common.HttpResponses;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedFile;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Locale;
import java.util.Map;

/**
 * Answers GET and HEAD with a file under the root: 200 with the whole file, 206 with one byte
 * range, 304 when {@code If-Modified-Since} is not older than the file, 403 for paths that leave
 * the root, 404 for what is not a readable file, 405 for other methods, 416 for a range past the end.
 */
public final class HttpStaticFileServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=UTF-8",
            "txt", "text/plain; charset=UTF-8",
            "md", "text/markdown; charset=UTF-8",
            "css", "text/css",
            "js", "text/javascript",
            "json", "application/json",
            "png", "image/png",
            "jpg", "image/jpeg",
            "svg", "image/svg+xml");
    private static final int CHUNK_SIZE = 8192;

    private final Path root;
    private final boolean useFileRegion;

    /**
     * Serves files under {@code root}; {@code useFileRegion} picks a {@code DefaultFileRegion}
     * (zero copy) over an {@code HttpChunkedInput} (needs a {@code ChunkedWriteHandler} before this handler).
     */
    public HttpStaticFileServerHandler(Path root, boolean useFileRegion) {
        this.root = root.toAbsolutePath().normalize();
        this.useFileRegion = useFileRegion;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws IOException {
        if (!request.decoderResult().isSuccess()) {
            sendStatus(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!head && !HttpMethod.GET.equals(request.method())) {
            FullHttpResponse response = HttpResponses.text(request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "this server answers GET and HEAD\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            HttpResponses.send(ctx, request, response);
            return;
        }
        Path file = resolve(request.uri());
        if (file == null) {
            sendStatus(ctx, request, HttpResponseStatus.FORBIDDEN);
            return;
        }
        if (Files.isDirectory(file)) {
            file = file.resolve("index.html");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file) || Files.isHidden(file)) {
            sendStatus(ctx, request, HttpResponseStatus.NOT_FOUND);
            return;
        }

        long lastModifiedSeconds = Files.getLastModifiedTime(file).toMillis() / 1000;
        String lastModified = DateFormatter.format(new Date(lastModifiedSeconds * 1000));
        String ifModifiedSinceField = request.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
        Date ifModifiedSince = ifModifiedSinceField == null ? null : DateFormatter.parseHttpDate(ifModifiedSinceField);
        if (ifModifiedSince != null && lastModifiedSeconds <= ifModifiedSince.getTime() / 1000) {
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.NOT_MODIFIED);
            response.headers().set(HttpHeaderNames.LAST_MODIFIED, lastModified);
            HttpResponses.send(ctx, request, response);
            return;
        }

        long size = Files.size(file);
        ByteRange range = ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE), size);
        if (range == ByteRange.UNSATISFIABLE) {
            FullHttpResponse response = HttpResponses.text(request, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "the file has " + size + " bytes\n");
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            HttpResponses.send(ctx, request, response);
            return;
        }
        long first = range == null ? 0 : range.first;
        long length = range == null ? size : range.length();
        HttpResponse response = new DefaultHttpResponse(request.protocolVersion(),
                range == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType(file))
                .set(HttpHeaderNames.LAST_MODIFIED, lastModified)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (range != null) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.first + '-' + range.last + '/' + size);
        }
        HttpUtil.setContentLength(response, length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);

        ChannelFuture last;
        if (head || length == 0) {
            last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (useFileRegion) {
            ctx.write(new DefaultFileRegion(file.toFile(), first, length));
            last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            // ChunkedFile closes the file when the last chunk has been read (or the write failed).
            ChunkedFile chunks = new ChunkedFile(new RandomAccessFile(file.toFile(), "r"), first, length, CHUNK_SIZE);
            last = ctx.writeAndFlush(new HttpChunkedInput(chunks));
        }
        if (!keepAlive) {
            last.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The file a request target names, or null when it is malformed or would leave the root. */
    private Path resolve(String uri) {
        String path;
        try {
            path = new QueryStringDecoder(uri).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return null;
        }
        Path resolved = root.resolve(path.substring(1)).normalize();
        return resolved.startsWith(root) ? resolved : null;
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return CONTENT_TYPES.getOrDefault(extension, "application/octet-stream");
    }

    private static void sendStatus(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status) {
        HttpResponses.send(ctx, request, HttpResponses.text(request, status, status + "\n"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        cause.printStackTrace();
        ctx.close();
    }
}
