package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * One response record ready for the engine, with every buffer its data chunks point at. The
 * engine reads them (and any file a file chunk names, whose region is pinned too) until it reports
 * the send complete; then {@link #release()} frees them. An engine that copied them all when it
 * accepted the send says so, and {@link #engineCopied()} frees them at once.
 * The tests read the layout back with their ResponseRecordReader.
 */
public final class EncodedSend {
    private final ByteBuf record;
    private final long recordAddress;
    private final int recordLength;
    private final ReferenceCounted[] pinned;
    private final int pinnedCount;
    private final int flags;
    private final boolean last;
    private boolean released;

    EncodedSend(ByteBuf record, long recordAddress, int recordLength, ReferenceCounted[] pinned, int pinnedCount,
                int flags, boolean last) {
        this.record = record;
        this.recordAddress = recordAddress;
        this.recordLength = recordLength;
        this.pinned = pinned;
        this.pinnedCount = pinnedCount;
        this.flags = flags;
        this.last = last;
    }

    /**
     * The direct buffer holding the record: its readable bytes are exactly the record. Memory
     * before the reader index holds body and framing bytes that chunks point at.
     */
    public ByteBuf record() {
        return record;
    }

    /** Native address of the record's first byte, for the engine's send call. */
    public long recordAddress() {
        return recordAddress;
    }

    public int recordLength() {
        return recordLength;
    }

    /** True when this send completes the response. */
    public boolean isLast() {
        return last;
    }

    /** The record's flags ({@code ResponseRecordEncoder.FLAG_*}). */
    public int flags() {
        return flags;
    }

    /** Number of body buffers and file regions referenced in place (not copied); for tests and diagnostics. */
    public int pinnedBufferCount() {
        return pinnedCount;
    }

    /**
     * The engine copied the record and every byte its chunks name when it accepted the send: the
     * pinned buffers are released now, and the record's buffer holds this thread's next record.
     * Later calls, and {@link #release()}, do nothing.
     */
    public void engineCopied() {
        if (releasePinned()) {
            RecordBuffers.giveBack(record);
        }
    }

    /** Releases the record and the pinned buffers, once; later calls do nothing. */
    public void release() {
        if (releasePinned()) {
            record.release();
        }
    }

    /** The first time: marks the send released and releases its pinned buffers (the caller then frees the record). */
    private boolean releasePinned() {
        if (released) {
            return false;
        }
        released = true;
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i].release();
        }
        return true;
    }
}
