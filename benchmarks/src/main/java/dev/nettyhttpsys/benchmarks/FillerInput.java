package dev.nettyhttpsys.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A body of {@code length} bytes read as slices of one shared filler buffer, a chunk of the
 * filler's size at a time: a streamed response that costs nothing to produce, so what is measured
 * is the pipeline and the transport.
 */
final class FillerInput implements ChunkedInput<ByteBuf> {
    private final ByteBuf filler;
    private final long length;
    private long progress;

    /** {@code filler} must be unreleasable (its slices are released by whoever writes them). */
    FillerInput(ByteBuf filler, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " is negative");
        }
        this.filler = filler;
        this.length = length;
    }

    @Override
    public boolean isEndOfInput() {
        return progress >= length;
    }

    @Override
    public void close() {
        // Nothing to free: the filler is shared and unreleasable.
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) {
        if (isEndOfInput()) {
            return null;
        }
        int size = (int) Math.min(filler.readableBytes(), length - progress);
        progress += size;
        return filler.slice(filler.readerIndex(), size);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long progress() {
        return progress;
    }
}
