package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCounted;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
 * The record is laid out in a {@link RecordScratch} first and copied behind the tail by
 * {@link #finish}, when the chunk table's addresses are final. Body bytes copied after
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
    private static final int AT_ADDRESS = 0;
    private static final int IN_TAIL = 1;
    private static final int IN_OVERFLOW = 2;
    // A planned chunk is four longs: kind and location, start, length, file offset.
    private static final int PLAN_STRIDE = 4;
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final ByteBufAllocator alloc;
    private final ByteBuf buffer;
    private ByteBuf overflow;
    // Plain memory is cheaper than a buffer's checked accessors for the record's many small fields.
    private RecordScratch scratch;
    private int recordStart = -1;  // in buffer, where the record will go
    private int recordLength;      // bytes of the record laid out in scratch
    private int headerCount;
    private int trailerCount;

    // The chunk table being planned. A tail chunk's start is an offset into buffer until finish().
    // Room for two chunks to start (most sends have one): a writer is allocated per send.
    private int chunkCount;
    private long[] plan = new long[2 * PLAN_STRIDE];

    private ReferenceCounted[] pinned;
    private int pinnedCount;
    private boolean closed;

    ResponseRecordWriter(ByteBufAllocator alloc, int initialCapacity) {
        this.alloc = alloc;
        buffer = RecordBuffers.take(alloc, initialCapacity);
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
        addChunk(CHUNK_MEMORY, AT_ADDRESS, address, content.readableBytes(), 0);
    }

    /** References bytes of an open file; owner (the region) is retained so the file stays open until release. */
    void file(ReferenceCounted owner, long handle, long offset, long length) {
        if (length == 0) {
            return;
        }
        addPinned(owner.retain());
        addChunk(CHUNK_FILE, AT_ADDRESS, handle, length, offset);
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
        int location = recordStart < 0 ? IN_TAIL : IN_OVERFLOW;
        ByteBuf target = location == IN_TAIL ? buffer : overflow();
        int start = target.writerIndex();
        target.writeBytes(source, index, length);
        int last = (chunkCount - 1) * PLAN_STRIDE;
        if (last >= 0 && plan[last] == location(CHUNK_MEMORY, location) && plan[last + 1] + plan[last + 2] == start) {
            plan[last + 2] += length;  // adjacent copies share one chunk
        } else {
            addChunk(CHUNK_MEMORY, location, start, length, 0);
        }
    }

    private ByteBuf overflow() {
        if (overflow == null) {
            overflow = alloc.directBuffer();
        }
        return overflow;
    }

    private static long location(int kind, int location) {
        return ((long) kind << 8) | location;
    }

    private void addChunk(int kind, int location, long start, long length, long offset) {
        int at = chunkCount * PLAN_STRIDE;
        if (at == plan.length) {
            plan = Arrays.copyOf(plan, at * 2);
        }
        plan[at] = location(kind, location);
        plan[at + 1] = start;
        plan[at + 2] = length;
        plan[at + 3] = offset;
        chunkCount++;
    }

    // ---- record phase ----

    /** Ends the chunk phase and writes the reason phrase after the fixed record header. */
    void reason(CharSequence reason) {
        startRecord();
        int length = writeChars(reason);
        checkU16(length, "reason phrase length");
        SHORT_LE.set(scratch.bytes, RecordLayout.RESPONSE_REASON_LENGTH, (short) length);
    }

    /** Writes a header entry: by known response id (0-29), or by name when id is -1. */
    void header(int id, CharSequence name, CharSequence value) {
        int entry = startHeader(id, name);
        setValueLength(entry, writeChars(value));
    }

    /** Writes a header entry whose value is a non-negative decimal number, without a String. */
    void header(int id, CharSequence name, long value) {
        int entry = startHeader(id, name);
        setValueLength(entry, writeDecimal(value));
    }

    /** Writes a trailer field entry (always by name); trailers follow the headers. */
    void trailer(CharSequence name, CharSequence value) {
        trailerCount++;
        int entry = startEntry(-1, name);
        setValueLength(entry, writeChars(value));
    }

    private int startHeader(int id, CharSequence name) {
        if (trailerCount > 0) {
            throw new IllegalStateException("a header after the trailers");
        }
        headerCount++;
        return startEntry(id, name);
    }

    private void setValueLength(int entry, int length) {
        INT_LE.set(scratch.bytes, entry + RecordLayout.HEADER_ENTRY_VALUE_LENGTH, length);
    }

    private int startEntry(int id, CharSequence name) {
        startRecord();
        int entry = recordLength;
        room(RecordLayout.HEADER_ENTRY_SIZE);
        LONG_LE.set(scratch.bytes, entry, 0L);
        recordLength += RecordLayout.HEADER_ENTRY_SIZE;
        int nameLength = 0;
        if (id < 0) {
            nameLength = writeChars(name);
            checkU16(nameLength, "field name length");
        }
        scratch.bytes[entry] = (byte) (id < 0 ? KnownHeaders.UNKNOWN : id);
        SHORT_LE.set(scratch.bytes, entry + RecordLayout.HEADER_ENTRY_NAME_LENGTH, (short) nameLength);
        return entry;
    }

    /**
     * Appends text as one byte per character (ISO-8859-1: the fields were checked to hold nothing
     * above 0xFF); returns how many bytes.
     */
    @SuppressWarnings("deprecation")  // String.getBytes(int, int, byte[], int): the low byte of each char, as wanted
    private int writeChars(CharSequence text) {
        int length = text.length();
        room(length);
        byte[] bytes = scratch.bytes;
        int at = recordLength;
        if (text instanceof AsciiString) {
            AsciiString ascii = (AsciiString) text;
            System.arraycopy(ascii.array(), ascii.arrayOffset(), bytes, at, length);
        } else if (text instanceof String) {
            ((String) text).getBytes(0, length, bytes, at);
        } else {
            for (int i = 0; i < length; i++) {
                bytes[at + i] = (byte) text.charAt(i);
            }
        }
        recordLength = at + length;
        return length;
    }

    /** Appends value in decimal; returns how many digits. */
    private int writeDecimal(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative header value " + value);
        }
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits);
        byte[] bytes = scratch.bytes;
        for (int i = recordLength + digits - 1; i >= recordLength; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        recordLength += digits;
        return digits;
    }

    /** Makes room for more record bytes in the scratch. */
    private void room(int more) {
        if (recordLength + more > scratch.bytes.length) {
            scratch.bytes = Arrays.copyOf(scratch.bytes, Math.max(scratch.bytes.length * 2, recordLength + more));
        }
    }

    private void startRecord() {
        if (recordStart < 0) {
            buffer.writeZero((8 - (buffer.writerIndex() & 7)) & 7);
            recordStart = buffer.writerIndex();
            scratch = RecordScratch.borrow();
            Arrays.fill(scratch.bytes, 0, HEADER_SIZE, (byte) 0);
            recordLength = HEADER_SIZE;
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
            int table = (recordLength + 7) & ~7;
            room(table - recordLength + chunkCount * CHUNK_SIZE);
            byte[] bytes = scratch.bytes;
            Arrays.fill(bytes, recordLength, table, (byte) 0);
            recordLength = table + chunkCount * CHUNK_SIZE;
            // From here on the buffer does not grow, so its address is final.
            buffer.ensureWritable(recordLength);
            long base = DirectAddresses.readableAddress(buffer) - buffer.readerIndex();
            long overflowBase = 0;
            if (overflow != null) {
                overflowBase = DirectAddresses.readableAddress(overflow) - overflow.readerIndex();
                addPinned(overflow);  // released with the send, like a pinned body buffer
                overflow = null;
            }
            for (int i = 0; i < chunkCount; i++) {
                int entry = table + i * CHUNK_SIZE;
                int at = i * PLAN_STRIDE;
                int location = (int) (plan[at] & 0xFF);
                long start = plan[at + 1];
                if (location == IN_TAIL) {
                    start += base;
                } else if (location == IN_OVERFLOW) {
                    start += overflowBase;
                }
                LONG_LE.set(bytes, entry, plan[at] >>> 8);  // the kind, then its four reserved zero bytes
                LONG_LE.set(bytes, entry + RecordLayout.CHUNK_HANDLE_OR_ADDRESS, start);
                LONG_LE.set(bytes, entry + RecordLayout.CHUNK_OFFSET, plan[at + 3]);
                LONG_LE.set(bytes, entry + RecordLayout.CHUNK_LENGTH, plan[at + 2]);
            }
            INT_LE.set(bytes, 0, recordLength);
            INT_LE.set(bytes, RecordLayout.RESPONSE_FLAGS, flags);
            SHORT_LE.set(bytes, RecordLayout.RESPONSE_STATUS, (short) status);
            SHORT_LE.set(bytes, RecordLayout.RESPONSE_HEADER_COUNT, (short) headerCount);
            SHORT_LE.set(bytes, RecordLayout.RESPONSE_CHUNK_COUNT, (short) chunkCount);
            INT_LE.set(bytes, RecordLayout.RESPONSE_CACHE_TTL, (int) cacheTtlSeconds);
            SHORT_LE.set(bytes, RecordLayout.RESPONSE_TRAILER_COUNT, (short) trailerCount);
            buffer.writeBytes(bytes, 0, recordLength);
            giveBackScratch();
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
        giveBackScratch();
        buffer.release();
        if (overflow != null) {
            overflow.release();
        }
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i].release();
        }
    }

    private void giveBackScratch() {
        if (scratch != null) {
            scratch.giveBack();
            scratch = null;
        }
    }

    private static void checkU16(int value, String what) {
        if (value > MAX_U16) {
            throw new IllegalArgumentException("response record " + what + " " + value + " exceeds 65535");
        }
    }
}
