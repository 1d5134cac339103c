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
        int flags = record.getIntLE(base + 4);
        int status = record.getUnsignedShortLE(base + 8);
        int reasonLength = record.getUnsignedShortLE(base + 10);
        int headerCount = record.getUnsignedShortLE(base + 12);
        int chunkCount = record.getUnsignedShortLE(base + 14);
        long cacheTtlSeconds = record.getUnsignedIntLE(base + 16);
        int trailerCount = record.getUnsignedShortLE(base + 20);
        if (record.getShortLE(base + 22) != 0) {
            throw invalid("reserved field is not zero");
        }
        int end = base + length;
        int position = base + ResponseRecordWriter.HEADER_SIZE;
        String reason = text(record, position, reasonLength, end, "reason");
        position += reasonLength;
        if ((flags & ResponseRecordEncoder.FLAG_HAS_HEAD) != 0) {
            rule(ResponseFieldRules.checkStatus(status));
            rule(ResponseFieldRules.checkReason(reason));
        }

        List<ParsedResponseRecord.Header> headers = new ArrayList<>(headerCount);
        position = readFields(record, position, end, headerCount, "header", headers);
        List<ParsedResponseRecord.Header> trailers = new ArrayList<>(trailerCount);
        position = readFields(record, position, end, trailerCount, "trailer", trailers);
        checkFraming(flags, headers, trailers);
        int aligned = base + ((position - base + 7) & ~7);
        need(position, aligned - position, end, "padding before the chunk table");
        for (int i = position; i < aligned; i++) {
            if (record.getByte(i) != 0) {
                throw invalid("padding before the chunk table is not zero");
            }
        }
        position = aligned;

        List<ParsedResponseRecord.Chunk> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            need(position, ResponseRecordWriter.CHUNK_SIZE, end, "data chunk " + i);
            int kind = record.getIntLE(position);
            long address = record.getLongLE(position + 8);
            long offset = record.getLongLE(position + 16);
            long chunkLength = record.getLongLE(position + 24);
            position += ResponseRecordWriter.CHUNK_SIZE;
            if (kind != ResponseRecordWriter.CHUNK_MEMORY && kind != ResponseRecordWriter.CHUNK_FILE) {
                throw invalid("data chunk " + i + " has unknown kind " + kind);
            }
            if (kind == ResponseRecordWriter.CHUNK_MEMORY && (chunkLength <= 0 || address == 0 || offset != 0)) {
                throw invalid("memory chunk " + i + " must have an address, no offset and a length > 0");
            }
            chunks.add(new ParsedResponseRecord.Chunk(kind, address, offset, chunkLength));
        }
        if (position != end) {
            throw invalid("trailing bytes after the chunk table: " + (end - position));
        }
        return new ParsedResponseRecord(flags, status, reason, cacheTtlSeconds, headers, trailers, chunks);
    }

    /** Reads count field entries (headers or trailers) into out; returns the position after them. */
    private static int readFields(ByteBuf record, int position, int end, int count, String kind,
                                  List<ParsedResponseRecord.Header> out) {
        for (int i = 0; i < count; i++) {
            need(position, ResponseRecordWriter.HEADER_ENTRY_SIZE, end, kind + " entry " + i);
            int id = record.getUnsignedByte(position);
            int nameLength = record.getUnsignedShortLE(position + 2);
            long valueLength = record.getUnsignedIntLE(position + 4);
            position += ResponseRecordWriter.HEADER_ENTRY_SIZE;
            if (id == KnownHeaders.UNKNOWN ? nameLength == 0 : nameLength != 0) {
                throw invalid(kind + " " + i + " needs either a known id or a name");
            }
            if (id != KnownHeaders.UNKNOWN && (id >= KnownHeaders.RESPONSE_HEADER_COUNT || kind.equals("trailer"))) {
                throw invalid(kind + " " + i + " has response id " + id + " (trailers go by name)");
            }
            String name = id == KnownHeaders.UNKNOWN
                    ? text(record, position, nameLength, end, kind + " name " + i)
                    : KnownHeaders.responseHeaderName(id).toString();
            position += nameLength;
            need(position, valueLength, end, kind + " value " + i);
            String value = text(record, position, (int) valueLength, end, kind + " value " + i);
            position += (int) valueLength;
            rule(ResponseFieldRules.checkField(kind, name, value));
            out.add(new ParsedResponseRecord.Header(id == KnownHeaders.UNKNOWN ? -1 : id, name, value));
        }
        return position;
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

    private static String text(ByteBuf record, int position, int length, int end, String field) {
        need(position, length, end, field);
        return record.toString(position, length, StandardCharsets.ISO_8859_1);
    }

    private static void need(int position, long length, int end, String field) {
        if (length > end - position) {
            throw invalid(field + " runs past the record end");
        }
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("invalid response record: " + why);
    }
}
