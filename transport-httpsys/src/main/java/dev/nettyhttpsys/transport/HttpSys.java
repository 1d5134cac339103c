package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.DirectAddresses;

/**
 * Tells whether this transport can be used here, like Netty's {@code Epoll}: the native library
 * loaded and an engine loop could be created.
 *
 * <pre>{@code
 * IoHandlerFactory factory = HttpSys.isAvailable() ? HttpSysIoHandler.newFactory() : NioIoHandler.newFactory();
 * }</pre>
 */
public final class HttpSys {
    private static final Throwable UNAVAILABILITY_CAUSE;
    private static final String BACKEND;

    static {
        Throwable cause = null;
        String backend = null;
        try {
            NativeLibraryLoader.load();
            EngineAbi.check(Native.abiTable());
            DirectAddresses.setResolver(Native::bufferAddress);
            long loop = Native.createLoop();
            try {
                backend = Native.backendName(loop);
            } finally {
                Native.destroyLoop(loop);
            }
        } catch (Throwable t) {
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
        BACKEND = backend;
    }

    private HttpSys() {
    }

    /** True when the native engine loaded and works on this machine. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Throws an {@link UnsatisfiedLinkError} with the reason when {@link #isAvailable()} is false. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (Error) new UnsatisfiedLinkError("netty-httpsys native engine is unavailable: "
                    + UNAVAILABILITY_CAUSE).initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** Why the engine is unavailable, or null when it is available. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** The engine backend in use: {@code "windows-httpapi"} (HTTP.SYS) or {@code "posix-epoll"}. */
    public static String backendName() {
        ensureAvailability();
        return BACKEND;
    }
}
