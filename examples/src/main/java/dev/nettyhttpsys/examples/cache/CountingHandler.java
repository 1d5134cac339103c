package dev.nettyhttpsys.examples.cache;

import dev.nettyhttpsys.codec.HttpSysCache;
import dev.nettyhttpsys.examples.common.HttpResponses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the requests that reach it and answers with the count: {@code /ttl/N} asks the cache to
 * keep the response N seconds, {@code /nocache} asks it not to keep it, anything else leaves the
 * server's default. Shared by every connection (one counter).
 */
@ChannelHandler.Sharable
public final class CountingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Response header with the handler's count, also in the body. */
    public static final String COUNT_HEADER = "X-Handler-Count";

    private final AtomicLong seen = new AtomicLong();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long count = seen.incrementAndGet();
        String path = new QueryStringDecoder(request.uri()).path();
        Duration ttl = null;
        if (path.equals("/nocache")) {
            ttl = Duration.ZERO;
        } else if (path.startsWith("/ttl/")) {
            ttl = seconds(path.substring("/ttl/".length()));
            if (ttl == null) {
                HttpResponses.send(ctx, request, HttpResponses.text(request, HttpResponseStatus.BAD_REQUEST,
                        "/ttl/N needs N in whole seconds, 0 or more\n"));
                return;
            }
        }
        FullHttpResponse response = HttpResponses.text(request, HttpResponseStatus.OK,
                "handler call #" + count + " for " + path + " at " + Instant.now()
                        + (ttl == null ? " (server default time-to-live)" : " (time-to-live " + ttl.getSeconds() + " s)")
                        + "\n");
        response.headers().set(COUNT_HEADER, count);
        if (ttl != null) {
            HttpSysCache.setTtl(response, ttl);
        }
        HttpResponses.send(ctx, request, response);
    }

    private static Duration seconds(String text) {
        try {
            long seconds = Long.parseLong(text);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
