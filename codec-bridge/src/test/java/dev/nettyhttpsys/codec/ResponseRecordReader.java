package dev.nettyhttpsys.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a response record back into its parts, with the same checks as the engine's
 * {@code hsys::ResponseView::parse} (its field rules included) plus one: no memory chunk may be
 * empty. Test code: the shipped jar never reads its records back.
 */
public final class ResponseRecordReader {
    private ResponseRecordReader() {
    }

    /** Parses the record of a send; read chunk bytes before the send is released. */
    public static ParsedResponseRecord read(EncodedSend send) {
        return read(send.record());
    }

    /** Parses the record occupying the buffer's readable bytes. */
    public static ParsedResponseRecord read(ByteBuf record) {
        int base = record.readerIndex();
        int length = record.readableBytes();
        if (length < ResponseRecordWriter.HEADER_SIZE) {
            throw invalid("shorter than its 24-byte header: " + length + " bytes");
        }
        long recordLength = record.getUnsignedIntLE(base);
        if (recordLength != length) {
            throw invalid("recordLength " + recordLength + " does not match the " + length + " bytes given");
        }
        int flags = record.getIntLE(base + RecordLayout.RESPONSE_FLAGS);
        int status = record.getUnsignedShortLE(base + RecordLayout.RESPONSE_STATUS);
        int reasonLength = record.getUnsignedShortLE(base + RecordLayout.RESPONSE_REASON_LENGTH);
        int headerCount = record.getUnsignedShortLE(base + RecordLayout.RESPONSE_HEADER_COUNT);
        int chunkCount = record.getUnsignedShortLE(base + RecordLayout.RESPONSE_CHUNK_COUNT);
        long cacheTtlSeconds = record.getUnsignedIntLE(base + RecordLayout.RESPONSE_CACHE_TTL);
        int trailerCount = record.getUnsignedShortLE(base + RecordLayout.RESPONSE_TRAILER_COUNT);
        if (record.getShortLE(base + RecordLayout.RESPONSE_RESERVED) != 0) {
            throw invalid("reserved field is not zero");
        }
        RecordCursor cursor = new RecordCursor(record, base + ResponseRecordWriter.HEADER_SIZE, base + length,
                "invalid response record:");
        String reason = text(record, cursor, reasonLength, "reason", -1);
        if ((flags & ResponseRecordEncoder.FLAG_HAS_HEAD) != 0) {
            rule(ResponseFieldRules.checkStatus(status));
            rule(ResponseFieldRules.checkReason(reason));
        }

        List<ParsedResponseRecord.Header> headers = new ArrayList<>(headerCount);
        readFields(record, cursor, headerCount, "header", headers);
        List<ParsedResponseRecord.Header> trailers = new ArrayList<>(trailerCount);
        readFields(record, cursor, trailerCount, "trailer", trailers);
        checkFraming(flags, headers, trailers);
        int padding = (8 - ((cursor.position() - base) & 7)) & 7;
        int paddingStart = cursor.take(padding, "padding before the chunk table", -1);
        for (int i = paddingStart; i < paddingStart + padding; i++) {
            if (record.getByte(i) != 0) {
                throw invalid("padding before the chunk table is not zero");
            }
        }

        List<ParsedResponseRecord.Chunk> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            int chunk = cursor.take(ResponseRecordWriter.CHUNK_SIZE, "data chunk", i);
            int kind = record.getIntLE(chunk);
            long address = record.getLongLE(chunk + RecordLayout.CHUNK_HANDLE_OR_ADDRESS);
            long offset = record.getLongLE(chunk + RecordLayout.CHUNK_OFFSET);
            long chunkLength = record.getLongLE(chunk + RecordLayout.CHUNK_LENGTH);
            if (kind != ResponseRecordWriter.CHUNK_MEMORY && kind != ResponseRecordWriter.CHUNK_FILE) {
                throw invalid("data chunk " + i + " has unknown kind " + kind);
            }
            if (kind == ResponseRecordWriter.CHUNK_MEMORY && (chunkLength <= 0 || address == 0 || offset != 0)) {
                throw invalid("memory chunk " + i + " must have an address, no offset and a length > 0");
            }
            chunks.add(new ParsedResponseRecord.Chunk(kind, address, offset, chunkLength));
        }
        if (cursor.position() != cursor.end()) {
            throw invalid("trailing bytes after the chunk table: " + (cursor.end() - cursor.position()));
        }
        return new ParsedResponseRecord(flags, status, reason, cacheTtlSeconds, headers, trailers, chunks);
    }

    /** Reads count field entries (headers or trailers) into out. */
    private static void readFields(ByteBuf record, RecordCursor cursor, int count, String kind,
                                   List<ParsedResponseRecord.Header> out) {
        for (int i = 0; i < count; i++) {
            int entry = cursor.takeEntry(kind + " entry", i);
            int id = cursor.entryId(entry);
            int nameLength = cursor.entryNameLength(entry);
            long valueLength = cursor.entryValueLength(entry);
            if (id == KnownHeaders.UNKNOWN ? nameLength == 0 : nameLength != 0) {
                throw invalid(kind + " " + i + " needs either a known id or a name");
            }
            if (id != KnownHeaders.UNKNOWN && (id >= KnownHeaders.RESPONSE_HEADER_COUNT || kind.equals("trailer"))) {
                throw invalid(kind + " " + i + " has response id " + id + " (trailers go by name)");
            }
            String name = id == KnownHeaders.UNKNOWN
                    ? text(record, cursor, nameLength, kind + " name", i)
                    : KnownHeaders.responseHeaderName(id).toString();
            String value = text(record, cursor, valueLength, kind + " value", i);
            rule(ResponseFieldRules.checkField(kind, name, value));
            out.add(new ParsedResponseRecord.Header(id == KnownHeaders.UNKNOWN ? -1 : id, name, value));
        }
    }

    /** What the engine refuses about framing fields (response_fields.h). */
    private static void checkFraming(int flags, List<ParsedResponseRecord.Header> headers,
                                     List<ParsedResponseRecord.Header> trailers) {
        boolean chunked = (flags & ResponseRecordEncoder.FLAG_CHUNKED) != 0;
        long declared = -1;
        for (ParsedResponseRecord.Header header : headers) {
            int id = KnownHeaders.responseHeaderId(header.name());
            if (id == KnownHeaders.TRANSFER_ENCODING) {
                throw invalid("Transfer-Encoding field: chunked framing is the engine's (FLAG_CHUNKED)");
            }
            if (id == KnownHeaders.CONTENT_LENGTH) {
                long length = ResponseFieldRules.parseContentLength(header.value());
                if (length < 0 || (declared >= 0 && length != declared)) {
                    throw invalid("Content-Length '" + header.value() + "' is not a number or differs from another");
                }
                declared = length;
            }
        }
        if (declared >= 0 && chunked) {
            throw invalid("Content-Length with chunked framing");
        }
        if (!trailers.isEmpty() && (!chunked || (flags & ResponseRecordEncoder.FLAG_MORE_DATA) != 0)) {
            throw invalid("trailers outside the last send of a chunked response");
        }
        for (ParsedResponseRecord.Header trailer : trailers) {
            rule(ResponseFieldRules.checkTrailerName(trailer.name()));
        }
    }

    private static void rule(String problem) {
        if (problem != null) {
            throw invalid(problem);
        }
    }

    /** Copies the bytes of a memory chunk; its owner must not have been released. */
    static byte[] memory(long address, long length) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("chunk of " + length + " bytes is too large to read back");
        }
        byte[] bytes = new byte[(int) length];
        if (PlatformDependent.hasUnsafe()) {
            PlatformDependent.copyMemory(address, bytes, 0, length);
        } else {
            // Needs the JDK's private DirectByteBuffer(long, int), which Netty may not reach.
            Unpooled.wrappedBuffer(address, (int) length, false).getBytes(0, bytes);
        }
        return bytes;
    }

    private static String text(ByteBuf record, RecordCursor cursor, long length, String field, int index) {
        int start = cursor.take(length, field, index);
        return record.toString(start, (int) length, StandardCharsets.ISO_8859_1);
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("invalid response record: " + why);
    }
}
