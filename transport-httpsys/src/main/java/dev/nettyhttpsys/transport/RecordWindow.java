package dev.nettyhttpsys.transport;

import java.nio.ByteBuffer;

/**
 * Filled by {@code Native.poll}: one direct buffer over every request record of the last batch,
 * valid until the next poll. Request completions carry offsets into it.
 */
final class RecordWindow {
    /** Set from native code. */
    ByteBuffer buffer;
}
