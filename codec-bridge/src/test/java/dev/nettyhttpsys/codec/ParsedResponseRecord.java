package dev.nettyhttpsys.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A response record read back by {@link ResponseRecordReader}: the fields as the engine sees them. */
public final class ParsedResponseRecord {
    /** One header entry; knownId is -1 for a header sent by name. */
    public record Header(int knownId, String name, String value) {
    }

    /** One data chunk; {@link #bytes()} reads a memory chunk where it lies. */
    public record Chunk(int kind, long handleOrAddress, long offset, long length) {
        public boolean isMemory() {
            return kind == ResponseRecordWriter.CHUNK_MEMORY;
        }

        /** The chunk's bytes; the buffer it points at must not have been released yet. */
        public byte[] bytes() {
            if (!isMemory()) {
                throw new UnsupportedOperationException("chunk kind " + kind + " is not in memory");
            }
            return ResponseRecordReader.memory(handleOrAddress, length);
        }
    }

    private final int flags;
    private final int status;
    private final String reason;
    private final long cacheTtlSeconds;
    private final List<Header> headers;
    private final List<Header> trailers;
    private final List<Chunk> chunks;

    ParsedResponseRecord(int flags, int status, String reason, long cacheTtlSeconds, List<Header> headers,
                         List<Header> trailers, List<Chunk> chunks) {
        this.flags = flags;
        this.status = status;
        this.reason = reason;
        this.cacheTtlSeconds = cacheTtlSeconds;
        this.headers = Collections.unmodifiableList(headers);
        this.trailers = Collections.unmodifiableList(trailers);
        this.chunks = Collections.unmodifiableList(chunks);
    }

    public int flags() {
        return flags;
    }

    public boolean hasHead() {
        return (flags & ResponseRecordEncoder.FLAG_HAS_HEAD) != 0;
    }

    public boolean hasMoreData() {
        return (flags & ResponseRecordEncoder.FLAG_MORE_DATA) != 0;
    }

    public boolean isDisconnect() {
        return (flags & ResponseRecordEncoder.FLAG_DISCONNECT) != 0;
    }

    public boolean isOpaque() {
        return (flags & ResponseRecordEncoder.FLAG_OPAQUE) != 0;
    }

    /** The engine chunk-frames this response. */
    public boolean isChunked() {
        return (flags & ResponseRecordEncoder.FLAG_CHUNKED) != 0;
    }

    /** The status code (0 in a record without a head). */
    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public long cacheTtlSeconds() {
        return cacheTtlSeconds;
    }

    /** Every header entry in record order, known names resolved to their lower-case constants. */
    public List<Header> headers() {
        return headers;
    }

    /** The first value of a header, by case-insensitive name; null when absent. */
    public String header(String name) {
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                return header.value();
            }
        }
        return null;
    }

    /** Every value of a header, by case-insensitive name, in record order. */
    public List<String> headerValues(String name) {
        List<String> values = new ArrayList<>();
        for (Header header : headers) {
            if (header.name().equalsIgnoreCase(name)) {
                values.add(header.value());
            }
        }
        return values;
    }

    /** The trailer fields (always by name, knownId -1), on the last send of a chunked response. */
    public List<Header> trailers() {
        return trailers;
    }

    public List<Chunk> chunks() {
        return chunks;
    }

    /** All memory chunks' bytes in order (what goes on the wire after the head). */
    public byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Chunk chunk : chunks) {
            out.writeBytes(chunk.bytes());
        }
        return out.toByteArray();
    }

    public String body(Charset charset) {
        return new String(body(), charset);
    }

    @Override
    public String toString() {
        return "ParsedResponseRecord{flags=" + flags + ", status=" + status + ", reason=" + reason
                + ", cacheTtlSeconds=" + cacheTtlSeconds + ", headers=" + headers + ", trailers=" + trailers
                + ", chunks=" + chunks.size() + '}';
    }
}
