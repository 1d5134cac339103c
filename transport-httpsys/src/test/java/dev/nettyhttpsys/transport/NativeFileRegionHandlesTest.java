package dev.nettyhttpsys.transport;

import io.netty.channel.DefaultFileRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DefaultFileRegion reaches the engine by file handle (zero copy), other regions are copied. */
class NativeFileRegionHandlesTest {
    @Test
    void defaultFileRegionHasTheHandleOfItsChannel(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "zero copy");
        HttpSys.ensureAvailability();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long expected = Native.fileHandle(channel);
            assertTrue(expected >= 0, "a JDK FileChannel has a descriptor");
            DefaultFileRegion region = new DefaultFileRegion(channel, 0, 9);
            assertEquals(expected, NativeFileRegionHandles.INSTANCE.handleOf(region));
        }
        DefaultFileRegion lazy = new DefaultFileRegion(file.toFile(), 0, 9);
        try {
            assertTrue(NativeFileRegionHandles.INSTANCE.handleOf(lazy) >= 0, "a region made from a File is opened");
        } finally {
            lazy.release();
        }
    }

    @Test
    void subclassesAreNotTrustedWithTheirFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("f.txt"), "copied");
        DefaultFileRegion region = new DefaultFileRegion(file.toFile(), 0, 6) { };
        try {
            assertEquals(-1, NativeFileRegionHandles.INSTANCE.handleOf(region));
        } finally {
            region.release();
        }
    }
}
