package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.FileRegionHandles;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;

/**
 * The file descriptor (Linux) or HANDLE (Windows) behind a {@link DefaultFileRegion}, so the
 * engine sends the file without copying it through Java. {@code DefaultFileRegion} does not
 * expose its {@code FileChannel}; Netty's own native transports read the private field from JNI,
 * this reads it by reflection (allowed on the class path; where the module system forbids it,
 * every region is copied instead, and that is logged once).
 */
final class NativeFileRegionHandles implements FileRegionHandles {
    static final NativeFileRegionHandles INSTANCE = new NativeFileRegionHandles();
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(NativeFileRegionHandles.class);
    private static final Field FILE_FIELD = fileField();

    private NativeFileRegionHandles() {
    }

    private static Field fileField() {
        try {
            Field field = DefaultFileRegion.class.getDeclaredField("file");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            logger.info("DefaultFileRegion's file is not reachable ({}); file regions will be copied", e.toString());
            return null;
        }
    }

    @Override
    public long handleOf(FileRegion region) {
        if (FILE_FIELD == null || region.getClass() != DefaultFileRegion.class) {
            return -1;  // a subclass may override transferTo: only its own bytes are right
        }
        DefaultFileRegion fileRegion = (DefaultFileRegion) region;
        try {
            fileRegion.open();
            Object channel = FILE_FIELD.get(fileRegion);
            return channel instanceof FileChannel ? Native.fileHandle((FileChannel) channel) : -1;
        } catch (IOException e) {
            throw new UncheckedIOException("opening the file of a DefaultFileRegion", e);
        } catch (IllegalAccessException e) {
            return -1;
        }
    }
}
