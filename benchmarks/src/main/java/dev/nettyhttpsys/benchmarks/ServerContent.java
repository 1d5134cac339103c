package dev.nettyhttpsys.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the benchmark server answers with, made once per server and shared by every channel. */
final class ServerContent {
    static final int FILE_BYTES = 1024 * 1024;
    /** The chunk size of a streamed response ({@code GET /stream}). */
    static final int STREAM_CHUNK_BYTES = 64 * 1024;

    final ByteBuf hello = shared("Hello, world!".getBytes(StandardCharsets.US_ASCII));
    final ByteBuf bytes4k = shared(pattern(4 * 1024));
    final ByteBuf bytes64k = shared(pattern(64 * 1024));
    /** Zeros, sliced into the chunks of a streamed response. */
    final ByteBuf streamChunk = shared(new byte[STREAM_CHUNK_BYTES]);
    /** A 1 MiB file, sent as a {@code DefaultFileRegion}; deleted when the JVM exits. */
    final File file;

    ServerContent() {
        try {
            Path path = Files.createTempFile("netty-httpsys-benchmark", ".bin");
            path.toFile().deleteOnExit();
            Files.write(path, pattern(FILE_BYTES));
            file = path.toFile();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the benchmark's 1 MiB file in java.io.tmpdir", e);
        }
    }

    /** A direct buffer that responses {@code duplicate()} and nobody can release. */
    private static ByteBuf shared(byte[] bytes) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
    }

    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }
}
