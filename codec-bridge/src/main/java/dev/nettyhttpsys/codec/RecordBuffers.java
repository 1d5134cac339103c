package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One spare record buffer per thread. A record the engine copied when it was sent
 * ({@link EncodedSend#engineCopied()}: a small response on the posix engine) is not freed but
 * holds the thread's next record, so such a response costs the pool no allocation and no release.
 */
final class RecordBuffers {
    /** Larger than this, a buffer is not kept for the thread (one huge record must not pin it). */
    private static final int MAX_KEPT_CAPACITY = 16 * 1024;
    private static final FastThreadLocal<RecordBuffers> OF_THREAD = new FastThreadLocal<RecordBuffers>() {
        @Override
        protected RecordBuffers initialValue() {
            return new RecordBuffers();
        }

        @Override
        protected void onRemoval(RecordBuffers buffers) {
            if (buffers.spare != null) {
                buffers.spare.release();  // the thread ends
                buffers.spare = null;
            }
        }
    };

    private ByteBuf spare;

    private RecordBuffers() {
    }

    /** An empty direct buffer from alloc for a record of about capacity bytes: the thread's spare when it has one. */
    static ByteBuf take(ByteBufAllocator alloc, int capacity) {
        RecordBuffers buffers = OF_THREAD.get();
        ByteBuf kept = buffers.spare;
        if (kept != null && kept.alloc() == alloc) {
            buffers.spare = null;
            return kept;  // the writer grows it if the record needs more
        }
        return alloc.directBuffer(capacity);
    }

    /** Keeps a record buffer nothing points into any more as the thread's spare, or releases it. */
    static void giveBack(ByteBuf record) {
        RecordBuffers buffers = OF_THREAD.get();
        if (buffers.spare == null && record.refCnt() == 1 && record.capacity() <= MAX_KEPT_CAPACITY) {
            buffers.spare = record.clear();
        } else {
            record.release();
        }
    }
}
