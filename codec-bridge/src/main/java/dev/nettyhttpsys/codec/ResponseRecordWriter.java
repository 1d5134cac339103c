package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCounted;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Lays out one response record (records.h) in one direct buffer, in two phases.
 *
 * <p>Chunk phase: body bytes are either referenced in place (addressable direct buffers, retained
 * until the send completes) or copied into the buffer's tail; adjacent tail bytes share one data
 * chunk (framing bytes are the engine's). Record phase: the record itself (header, reason,
 * headers, trailers, padding, chunk table) follows the tail, so a small response is a single
 * allocation:
 * <pre>
 *   [tail: copied body and framing bytes][pad to 8][ResponseRecordHeader, reason, headers, pad, DataChunk...]
 *                                                  ^ readerIndex of the finished record
 * </pre>
 * Chunk addresses are resolved last, when the buffer can no longer move. Body bytes copied after
 * the record was started (one record may carry a response head and the body parts written after
 * it in the same flush) go to a second direct buffer, pinned with the send.
 */
final class ResponseRecordWriter {
    static final int HEADER_SIZE = 24;
    static final int CHUNK_SIZE = 32;
    static final int CHUNK_MEMORY = 0;
    /** A file chunk: handleOrAddress = descriptor/HANDLE, offset = file offset. */
    static final int CHUNK_FILE = 1;
    private static final int MAX_U16 = 0xFFFF;
    // Where a planned chunk's start points: an address, an offset into buffer, or into overflow.
    private static final byte AT_ADDRESS = 0;
    private static final byte IN_TAIL = 1;
    private static final byte IN_OVERFLOW = 2;

    private final ByteBufAllocator alloc;
    private final ByteBuf buffer;
    private ByteBuf overflow;
    private int recordStart = -1;
    private int headerCount;
    private int trailerCount;

    // The chunk table being planned. A tail chunk's start is an offset into buffer until finish().
    // Room for two chunks to start (most sends have one): a writer is allocated per send.
    private int chunkCount;
    private int[] kinds = new int[2];
    private byte[] locations = new byte[2];
    private long[] starts = new long[2];
    private long[] lengths = new long[2];
    private long[] offsets = new long[2];

    private ReferenceCounted[] pinned;
    private int pinnedCount;
    private boolean closed;

    ResponseRecordWriter(ByteBufAllocator alloc, int initialCapacity) {
        this.alloc = alloc;
        buffer = alloc.directBuffer(initialCapacity);
    }

    // ---- chunk phase ----

    /** Adds body bytes: referenced in place when the engine can address them, copied otherwise. */
    void body(ByteBuf content) {
        int length = content.readableBytes();
        if (length == 0) {
            return;
        }
        if (DirectAddresses.isAddressable(content)) {
            pin(content);
        } else if (content instanceof CompositeByteBuf && content.nioBufferCount() > 1) {
            // Each component on its own: direct ones in place, heap ones copied.
            List<ByteBuf> parts = ((CompositeByteBuf) content).decompose(content.readerIndex(), length);
            for (ByteBuf part : parts) {
                body(part);
            }
        } else {
            copy(content, content.readerIndex(), length);
        }
    }

    /** References the readable bytes of an addressable buffer, retaining it until release. */
    private void pin(ByteBuf content) {
        long address = DirectAddresses.readableAddress(content);
        addPinned(content.retain());
        addChunk(CHUNK_MEMORY, AT_ADDRESS, address, content.readableBytes());
    }

    /** References bytes of an open file; owner (the region) is retained so the file stays open until release. */
    void file(ReferenceCounted owner, long handle, long offset, long length) {
        if (length == 0) {
            return;
        }
        addPinned(owner.retain());
        addChunk(CHUNK_FILE, AT_ADDRESS, handle, length);
        offsets[chunkCount - 1] = offset;
    }

    private void addPinned(ReferenceCounted owner) {
        if (pinned == null) {
            pinned = new ReferenceCounted[2];
        } else if (pinnedCount == pinned.length) {
            pinned = Arrays.copyOf(pinned, pinnedCount * 2);
        }
        pinned[pinnedCount++] = owner;
    }

    /** Copies bytes into the tail, or into the overflow buffer once the record has started. */
    void copy(ByteBuf source, int index, int length) {
        if (length == 0) {
            return;
        }
        byte location = recordStart < 0 ? IN_TAIL : IN_OVERFLOW;
        ByteBuf target = location == IN_TAIL ? buffer : overflow();
        int start = target.writerIndex();
        target.writeBytes(source, index, length);
        int last = chunkCount - 1;
        if (last >= 0 && locations[last] == location && starts[last] + lengths[last] == start) {
            lengths[last] += length;  // adjacent copies share one chunk
        } else {
            addChunk(CHUNK_MEMORY, location, start, length);
        }
    }

    private ByteBuf overflow() {
        if (overflow == null) {
            overflow = alloc.directBuffer();
        }
        return overflow;
    }

    private void addChunk(int kind, byte location, long start, long length) {
        if (chunkCount == kinds.length) {
            int size = chunkCount * 2;
            kinds = Arrays.copyOf(kinds, size);
            locations = Arrays.copyOf(locations, size);
            starts = Arrays.copyOf(starts, size);
            lengths = Arrays.copyOf(lengths, size);
            offsets = Arrays.copyOf(offsets, size);
        }
        kinds[chunkCount] = kind;
        locations[chunkCount] = location;
        starts[chunkCount] = start;
        lengths[chunkCount] = length;
        offsets[chunkCount] = 0;
        chunkCount++;
    }

    // ---- record phase ----

    /** Ends the chunk phase and writes the reason phrase after the fixed record header. */
    void reason(CharSequence reason) {
        startRecord();
        int start = buffer.writerIndex();
        buffer.writeCharSequence(reason, StandardCharsets.ISO_8859_1);
        int length = buffer.writerIndex() - start;
        checkU16(length, "reason phrase length");
        buffer.setShortLE(recordStart + RecordLayout.RESPONSE_REASON_LENGTH, length);
    }

    /** Writes a header entry: by known response id (0-29), or by name when id is -1. */
    void header(int id, CharSequence name, CharSequence value) {
        writeValue(startHeader(id, name), value);
    }

    /** Writes a header entry whose value is a non-negative decimal number, without a String. */
    void header(int id, CharSequence name, long value) {
        int entry = startHeader(id, name);
        int valueStart = buffer.writerIndex();
        writeDecimal(value);
        buffer.setIntLE(entry + RecordLayout.HEADER_ENTRY_VALUE_LENGTH, buffer.writerIndex() - valueStart);
    }

    /** Writes a trailer field entry (always by name); trailers follow the headers. */
    void trailer(CharSequence name, CharSequence value) {
        trailerCount++;
        writeValue(startEntry(-1, name), value);
    }

    private int startHeader(int id, CharSequence name) {
        if (trailerCount > 0) {
            throw new IllegalStateException("a header after the trailers");
        }
        headerCount++;
        return startEntry(id, name);
    }

    private void writeValue(int entry, CharSequence value) {
        int valueStart = buffer.writerIndex();
        buffer.writeCharSequence(value, StandardCharsets.ISO_8859_1);
        buffer.setIntLE(entry + RecordLayout.HEADER_ENTRY_VALUE_LENGTH, buffer.writerIndex() - valueStart);
    }

    private int startEntry(int id, CharSequence name) {
        startRecord();
        int entry = buffer.writerIndex();
        buffer.writeLongLE(0);
        int nameLength = 0;
        if (id < 0) {
            int nameStart = buffer.writerIndex();
            buffer.writeCharSequence(name, StandardCharsets.ISO_8859_1);
            nameLength = buffer.writerIndex() - nameStart;
            checkU16(nameLength, "field name length");
        }
        buffer.setByte(entry, id < 0 ? KnownHeaders.UNKNOWN : id);
        buffer.setShortLE(entry + RecordLayout.HEADER_ENTRY_NAME_LENGTH, nameLength);
        return entry;
    }

    private void writeDecimal(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative header value " + value);
        }
        long divisor = 1;
        while (value / divisor >= 10) {
            divisor *= 10;
        }
        for (; divisor > 0; divisor /= 10) {
            buffer.writeByte((int) ('0' + (value / divisor) % 10));
        }
    }

    private void startRecord() {
        if (recordStart < 0) {
            buffer.writeZero((8 - (buffer.writerIndex() & 7)) & 7);
            recordStart = buffer.writerIndex();
            buffer.writeZero(HEADER_SIZE);
        }
    }

    /**
     * Writes the chunk table and the record header and hands everything to an {@link EncodedSend}.
     * On failure everything is released and the writer is closed.
     */
    EncodedSend finish(int flags, int status, long cacheTtlSeconds, boolean last) {
        boolean done = false;
        try {
            startRecord();
            checkU16(headerCount, "header count");
            checkU16(trailerCount, "trailer count");
            checkU16(chunkCount, "chunk count");
            buffer.writeZero((8 - ((buffer.writerIndex() - recordStart) & 7)) & 7);
            int table = buffer.writerIndex();
            buffer.writeZero(chunkCount * CHUNK_SIZE);
            // From here on the buffer does not grow, so its address is final.
            long base = DirectAddresses.readableAddress(buffer) - buffer.readerIndex();
            long overflowBase = 0;
            if (overflow != null) {
                overflowBase = DirectAddresses.readableAddress(overflow) - overflow.readerIndex();
                addPinned(overflow);  // released with the send, like a pinned body buffer
                overflow = null;
            }
            for (int i = 0; i < chunkCount; i++) {
                int entry = table + i * CHUNK_SIZE;
                long start = starts[i];
                if (locations[i] == IN_TAIL) {
                    start += base;
                } else if (locations[i] == IN_OVERFLOW) {
                    start += overflowBase;
                }
                buffer.setIntLE(entry, kinds[i]);
                buffer.setLongLE(entry + RecordLayout.CHUNK_HANDLE_OR_ADDRESS, start);
                buffer.setLongLE(entry + RecordLayout.CHUNK_OFFSET, offsets[i]);
                buffer.setLongLE(entry + RecordLayout.CHUNK_LENGTH, lengths[i]);
            }
            int recordLength = buffer.writerIndex() - recordStart;
            buffer.setIntLE(recordStart, recordLength);
            buffer.setIntLE(recordStart + RecordLayout.RESPONSE_FLAGS, flags);
            buffer.setShortLE(recordStart + RecordLayout.RESPONSE_STATUS, status);
            buffer.setShortLE(recordStart + RecordLayout.RESPONSE_HEADER_COUNT, headerCount);
            buffer.setShortLE(recordStart + RecordLayout.RESPONSE_CHUNK_COUNT, chunkCount);
            buffer.setIntLE(recordStart + RecordLayout.RESPONSE_CACHE_TTL, (int) cacheTtlSeconds);
            buffer.setShortLE(recordStart + RecordLayout.RESPONSE_TRAILER_COUNT, trailerCount);
            buffer.readerIndex(recordStart);
            EncodedSend send = new EncodedSend(buffer, base + recordStart, recordLength, pinned, pinnedCount,
                    flags, last);
            done = true;
            closed = true;
            return send;
        } finally {
            if (!done) {
                abort();
            }
        }
    }

    /** Releases the buffer and every pinned body buffer; safe to call more than once. */
    void abort() {
        if (closed) {
            return;
        }
        closed = true;
        buffer.release();
        if (overflow != null) {
            overflow.release();
        }
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i].release();
        }
    }

    private static void checkU16(int value, String what) {
        if (value > MAX_U16) {
            throw new IllegalArgumentException("response record " + what + " " + value + " exceeds 65535");
        }
    }
}
