package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        List<ChannelHandler> encoders = null;
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            ChannelHandler handler = entry.getValue();
            if (handler instanceof HttpServerCodec) {
                ((HttpServerCodec) handler).removeOutboundHandler();
            } else if (handler instanceof HttpResponseEncoder) {
                if (encoders == null) {
                    encoders = new ArrayList<>(1);
                }
                encoders.add(handler);
            }
        }
        if (encoders != null) {
            for (ChannelHandler encoder : encoders) {
                pipeline.remove(encoder);
            }
        }
    }
}
