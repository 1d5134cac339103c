package dev.nettyhttpsys.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * Takes Netty's {@code CleartextHttp2ServerUpgradeHandler} out of a connection's pipeline before
 * its first request. Over a socket it looks at the connection's first bytes and removes itself
 * when they are not the HTTP/2 preface; here the engine parsed those bytes (a prior-knowledge
 * preface is answered by the engine and never reaches Java), so the first request proves the
 * same. Left in place it would take the HTTP/2 preface that follows an {@code Upgrade: h2c} for a
 * prior-knowledge start and remove the codec a second time.
 */
final class PriorKnowledgeHandlerRemover {
    private static final Class<? extends ChannelHandler> HANDLER = load(
            "io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler");

    private PriorKnowledgeHandlerRemover() {
    }

    static void removeFrom(ChannelPipeline pipeline) {
        if (HANDLER != null) {
            HttpEncoderRemover.removeAll(pipeline, HANDLER);
        }
    }

    /** The handler's class, or null where netty-codec-http2 is not on the class path. */
    private static Class<? extends ChannelHandler> load(String name) {
        try {
            return Class.forName(name, false, PriorKnowledgeHandlerRemover.class.getClassLoader())
                    .asSubclass(ChannelHandler.class);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
