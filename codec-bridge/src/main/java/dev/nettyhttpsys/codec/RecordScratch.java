package dev.nettyhttpsys.codec;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Plain memory a {@link ResponseRecordWriter} lays a record out in before copying it into the
 * record's buffer. Each thread lends its own ({@link #borrow()}); a writer that starts while it is
 * out (two responses built at once on one thread) gets a fresh one.
 */
final class RecordScratch {
    private static final int INITIAL_SIZE = 1024;
    /** Larger than this, a scratch is not kept for the thread (one huge record must not pin it). */
    private static final int MAX_KEPT_SIZE = 64 * 1024;
    private static final FastThreadLocal<RecordScratch> OF_THREAD = new FastThreadLocal<RecordScratch>() {
        @Override
        protected RecordScratch initialValue() {
            return new RecordScratch();
        }
    };

    byte[] bytes = new byte[INITIAL_SIZE];
    private boolean lent;

    private RecordScratch() {
    }

    /** This thread's scratch, or a fresh one while that is lent; {@link #giveBack()} after use. */
    static RecordScratch borrow() {
        RecordScratch scratch = OF_THREAD.get();
        if (scratch.lent) {
            return new RecordScratch();
        }
        scratch.lent = true;
        return scratch;
    }

    /** Ends a use. */
    void giveBack() {
        lent = false;
        if (bytes.length > MAX_KEPT_SIZE) {
            bytes = new byte[INITIAL_SIZE];
        }
    }
}
