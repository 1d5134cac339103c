package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;

/**
 * One response record ready for the engine, with every buffer its data chunks point at. The
 * engine reads them until it reports the send complete; then {@link #release()} frees them.
 */
public final class EncodedSend {
    private final ByteBuf record;
    private final ByteBuf[] pinned;
    private final int pinnedCount;
    private final int flags;
    private final boolean last;
    private final long recordAddress;
    private boolean released;

    EncodedSend(ByteBuf record, ByteBuf[] pinned, int pinnedCount, int flags, boolean last) {
        this.record = record;
        this.pinned = pinned;
        this.pinnedCount = pinnedCount;
        this.flags = flags;
        this.last = last;
        this.recordAddress = DirectAddresses.readableAddress(record);
    }

    public ByteBuf record() {
        return record;
    }

    public long recordAddress() {
        return recordAddress;
    }

    public int recordLength() {
        return record.readableBytes();
    }

    /** True when this send completes the response. */
    public boolean isLast() {
        return last;
    }

    /** The record's flags (ResponseRecordEncoder.FLAG_*). */
    public int flags() {
        return flags;
    }

    /** Releases the record and the pinned buffers, once. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        record.release();
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i].release();
        }
    }
}
