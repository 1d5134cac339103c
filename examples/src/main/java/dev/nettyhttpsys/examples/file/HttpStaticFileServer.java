package dev.nettyhttpsys.examples.file;

import dev.nettyhttpsys.examples.common.ServerTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Serves the files of one folder (the first argument, default the current folder) with
 * {@code Last-Modified} / {@code If-Modified-Since} (304) and single byte ranges (206, 416).
 * Bodies go out as a {@code DefaultFileRegion} (zero copy: sendfile on Linux, a file-handle chunk
 * on HTTP.SYS), or with {@code -Dchunked=true} as an {@code HttpChunkedInput} over a
 * {@code ChunkedFile} through {@code ChunkedWriteHandler}, the path Netty takes when the bytes must
 * pass through the pipeline (e.g. an {@code SslHandler} on NIO).
 * Try {@code curl -r 0-99 http://127.0.0.1:8080/README.md}.
 */
public final class HttpStaticFileServer {
    private HttpStaticFileServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.getInteger("port", 8080);
        Path root = Paths.get(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            System.err.println("Not a folder: " + root);
            System.exit(2);
        }
        boolean useFileRegion = !Boolean.getBoolean("chunked");
        ServerTransport transport = ServerTransport.select();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(transport.ioHandlerFactory());
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
                                    new ChunkedWriteHandler(),
                                    new HttpStaticFileServerHandler(root, useFileRegion));
                        }
                    })
                    .bind(port).sync().channel();
            System.out.println("Static file server on " + transport.name() + " serving " + root + " with "
                    + (useFileRegion ? "DefaultFileRegion" : "HttpChunkedInput") + ", listening on http://127.0.0.1:"
                    + port + "/");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
