package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.function.ToLongFunction;

/**
 * Native addresses of direct buffers, which response records point at. Netty exposes them when
 * it can use Unsafe; otherwise the transport installs a resolver (JNI GetDirectBufferAddress).
 */
public final class DirectAddresses {
    private static volatile ToLongFunction<ByteBuffer> resolver;

    private DirectAddresses() {
    }

    /** Installs the fallback used for direct buffers without {@link ByteBuf#hasMemoryAddress()}. */
    public static void setResolver(ToLongFunction<ByteBuffer> nioResolver) {
        resolver = nioResolver;
    }

    /** Address of the buffer's first readable byte; the buffer must be direct and contiguous. */
    public static long readableAddress(ByteBuf buffer) {
        if (buffer.hasMemoryAddress()) {
            return buffer.memoryAddress() + buffer.readerIndex();
        }
        ToLongFunction<ByteBuffer> current = resolver;
        if (current == null || !buffer.isDirect() || buffer.nioBufferCount() != 1) {
            throw new IllegalStateException("no native address for " + buffer.getClass().getSimpleName()
                    + " (direct=" + buffer.isDirect() + "); install DirectAddresses.setResolver");
        }
        return current.applyAsLong(buffer.nioBuffer(buffer.readerIndex(), buffer.readableBytes()));
    }

    /** Whether {@link #readableAddress} can serve this buffer without a copy. */
    static boolean isAddressable(ByteBuf buffer) {
        return buffer.hasMemoryAddress()
                || (resolver != null && buffer.isDirect() && buffer.nioBufferCount() == 1);
    }
}
