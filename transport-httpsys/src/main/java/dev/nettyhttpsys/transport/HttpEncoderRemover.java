package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Takes the HTTP/1.1 response encoders out of a request channel's pipeline. The engine frames
 * responses from Netty's {@code HttpResponse}/{@code HttpContent} objects (HTTP.SYS wants headers,
 * not bytes), so an {@link HttpServerCodec} keeps only its decoder half, which passes the
 * transport's ready-made {@code HttpRequest}s through, and WebSocket handshakers still find it.
 */
final class HttpEncoderRemover {
    private HttpEncoderRemover() {
    }

    static void removeFrom(ChannelPipeline pipeline) {
        // pipeline.get(Class) walks the handler list without allocating; iterating the pipeline
        // would copy it into a map, once per request.
        HttpServerCodec codec = pipeline.get(HttpServerCodec.class);
        if (codec != null) {
            codec.removeOutboundHandler();
        }
        removeAll(pipeline, HttpResponseEncoder.class);
    }

    /** Removes every handler of the type; returns true when there was one. */
    static boolean removeAll(ChannelPipeline pipeline, Class<? extends ChannelHandler> type) {
        boolean removed = false;
        for (ChannelHandler handler = pipeline.get(type); handler != null; handler = pipeline.get(type)) {
            pipeline.remove(handler);
            removed = true;
        }
        return removed;
    }
}
