package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;

/**
 * Filled by {@code Native.poll}: one direct buffer over every request record of the last batch,
 * valid until the next poll. Request completions carry offsets into it. Native code keeps the
 * buffer of an earlier batch when the new records lie inside it, and {@link #records()} keeps its
 * wrapper with it, so a poll allocates neither in steady state.
 */
final class RecordWindow {
    /** Set from native code. */
    ByteBuffer buffer;
    private ByteBuffer wrapped;
    private ByteBuf records;

    /**
     * The window as a {@link ByteBuf}, never released: each request record is handed out as this
     * buffer with its reader and writer index set around the record, read during its dispatch only.
     */
    ByteBuf records() {
        if (buffer != wrapped) {
            wrapped = buffer;
            records = Unpooled.wrappedBuffer(buffer);
        }
        return records;
    }
}
