package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Takes {@link SslHandler}s out of a request channel's pipeline. HTTP.SYS terminates TLS itself
 * (https:// prefixes with a certificate binding), so a pipeline written for NIO, which adds an
 * SslHandler first, would otherwise see decrypted requests pass through it and have every
 * response rejected ("unsupported message type").
 */
final class SslHandlerRemover {
    private SslHandlerRemover() {
    }

    /** Removes every SslHandler; returns true when there was one. */
    static boolean removeFrom(ChannelPipeline pipeline) {
        List<ChannelHandler> found = null;
        for (Map.Entry<String, ChannelHandler> entry : pipeline) {
            if (entry.getValue() instanceof SslHandler) {
                if (found == null) {
                    found = new ArrayList<>(1);
                }
                found.add(entry.getValue());
            }
        }
        if (found == null) {
            return false;
        }
        for (ChannelHandler handler : found) {
            pipeline.remove(handler);
        }
        return true;
    }
}
