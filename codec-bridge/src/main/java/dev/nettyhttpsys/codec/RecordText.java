package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;

/**
 * The text of a request record (method, URLs, header names and values: everything between the
 * fixed header and the body) copied out of the record's native memory once, so each string of a
 * request is made from a heap array. Reading each one from the record (ByteBuf#toString) copied
 * it twice and looked up a thread-local array per string: 9% of the Java samples of a pipelined
 * hello world. One instance per thread; the strings made from it own their bytes, so the next
 * record may overwrite it.
 */
final class RecordText {
    /** Text up to this long reuses the thread's array; a longer one (a rare, large head) gets its own. */
    private static final int REUSED_BYTES = 4096;
    private static final FastThreadLocal<RecordText> OF_THREAD = new FastThreadLocal<RecordText>() {
        @Override
        protected RecordText initialValue() {
            return new RecordText();
        }
    };

    private final byte[] reused = new byte[REUSED_BYTES];
    private ByteBuf record;
    private byte[] bytes;
    private int from;  // the record index of bytes[0]
    private int to;    // the record index after the last copied byte

    private RecordText() {
    }

    /**
     * This thread's instance holding the text of the record at base (ending at end; bodyLength and
     * tlsOffset as its header says). A record whose lengths do not add up gets no copy: its strings
     * are then read from the record, whose cursor reports what is wrong.
     */
    static RecordText of(ByteBuf record, int base, int end, long bodyLength, long tlsOffset) {
        RecordText text = OF_THREAD.get();
        text.record = record;
        int start = base + RequestRecordDecoder.HEADER_SIZE;
        long textEnd = (tlsOffset != 0 ? base + tlsOffset : end) - bodyLength;
        if (textEnd < start || textEnd > end) {
            textEnd = start;
        }
        int length = (int) textEnd - start;
        text.bytes = length <= REUSED_BYTES ? text.reused : new byte[length];
        record.getBytes(start, text.bytes, 0, length);
        text.from = start;
        text.to = (int) textEnd;
        return text;
    }

    /**
     * The bytes at record index start, ISO-8859-1 decoded (as Netty's HttpRequestDecoder does).
     * The constructor with a high byte of 0 makes exactly that mapping with one copy; on Java 17
     * the one taking a Charset looks up a thread-local result holder for every string.
     */
    @SuppressWarnings("deprecation")
    String string(int start, int length) {
        if (length == 0) {
            return "";
        }
        if (start < from || start + length > to) {
            return record.toString(start, length, StandardCharsets.ISO_8859_1);
        }
        return new String(bytes, 0, start - from, length);
    }

    /** The bytes at record index start as an AsciiString of their own. */
    AsciiString asciiString(int start, int length) {
        if (start < from || start + length > to) {
            byte[] copy = new byte[length];
            record.getBytes(start, copy);
            return new AsciiString(copy, false);
        }
        return new AsciiString(bytes, start - from, length, true);
    }
}
