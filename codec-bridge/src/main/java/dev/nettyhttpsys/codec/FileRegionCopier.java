package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FileRegion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Reads what is left of a {@link FileRegion} into a direct buffer: the fallback when there is no file handle. */
final class FileRegionCopier {
    private FileRegionCopier() {
    }

    /** Returns a new buffer (the caller owns it) holding the region's untransferred bytes. */
    static ByteBuf copy(FileRegion region, ByteBufAllocator alloc) {
        long remaining = region.count() - region.transferred();
        if (remaining > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a FileRegion of " + remaining
                    + " bytes without a file handle is too large to copy; write it in parts");
        }
        ByteBuf buffer = alloc.directBuffer((int) remaining);
        try {
            WritableByteChannel sink = new BufferSink(buffer);
            long start = region.transferred();
            while (buffer.readableBytes() < remaining) {
                if (region.transferTo(sink, start + buffer.readableBytes()) <= 0) {
                    throw new IOException("the FileRegion ended after " + buffer.readableBytes() + " of "
                            + remaining + " bytes");
                }
            }
            return buffer;
        } catch (IOException e) {
            buffer.release();
            throw new UncheckedIOException("reading a FileRegion for the response", e);
        } catch (RuntimeException | Error e) {
            buffer.release();
            throw e;
        }
    }

    /** A channel that appends to a ByteBuf. */
    private static final class BufferSink implements WritableByteChannel {
        private final ByteBuf buffer;

        BufferSink(ByteBuf buffer) {
            this.buffer = buffer;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), buffer.writableBytes());
            ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            buffer.writeBytes(slice);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
