package dev.nettyhttpsys.codec;

import io.netty.channel.FileRegion;

/**
 * Finds the operating-system file handle behind a {@link FileRegion}, so the engine can send the
 * file itself (sendfile on Linux, a file-handle data chunk on HTTP.SYS). The transport implements
 * it with its native library; codec-bridge stays free of native code.
 */
@FunctionalInterface
public interface FileRegionHandles {
    /** Never finds a handle: every region is copied into memory. */
    FileRegionHandles NONE = region -> -1;

    /**
     * Returns the descriptor (POSIX) or HANDLE (Windows) of the region's open file, or -1 when the
     * region cannot be sent by handle (then its bytes are copied). May open a lazily opened region.
     */
    long handleOf(FileRegion region);
}
