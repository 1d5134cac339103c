package dev.nettyhttpsys.transport;

import java.io.IOException;

/**
 * A failure reported by the native engine: what failed, with the engine status and the system
 * error code (a Win32 error on Windows, an errno on Linux) and, where one helps, a hint.
 */
public final class HttpSysException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int systemCode;

    /** Called from native code (jni_bridge.cpp). */
    public HttpSysException(String message, int status, int systemCode) {
        super(message);
        this.status = status;
        this.systemCode = systemCode;
    }

    /** The engine status (see {@link EngineStatus}), negative, or a positive system code. */
    public int status() {
        return status;
    }

    /** The Win32 error or errno behind the failure, 0 when there is none. */
    public int systemCode() {
        return systemCode;
    }
}
