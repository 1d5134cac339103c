package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

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
        return HttpEncoderRemover.removeAll(pipeline, SslHandler.class);
    }
}
