package dev.nettyhttpsys.transport;

/** The engine's status codes (engine.h {@code hsys::Status}) and their names for messages. */
final class EngineStatus {
    static final int OK = 0;
    /**
     * A send's return only: accepted, and the engine copied the record and its data; the memory
     * may be reused now. (In a completion a positive status is a system error code, so describe()
     * does not name this one.)
     */
    static final int OK_COPIED = 1;
    static final int CANCELLED = -1;
    static final int CONNECTION_LOST = -2;
    static final int INVALID_ARGUMENT = -3;
    static final int NO_SUCH_REQUEST = -4;
    static final int BUSY = -5;
    static final int SYSTEM_ERROR = -6;
    static final int UNSUPPORTED = -7;
    static final int MALFORMED_BODY = -8;

    private EngineStatus() {
    }

    static String describe(int status) {
        switch (status) {
            case OK: return "ok";
            case CANCELLED: return "cancelled";
            case CONNECTION_LOST: return "connection lost";
            case INVALID_ARGUMENT: return "invalid argument";
            case NO_SUCH_REQUEST: return "no such request";
            case BUSY: return "an operation of the same kind is pending";
            case SYSTEM_ERROR: return "system error";
            case UNSUPPORTED: return "not supported by this backend";
            case MALFORMED_BODY: return "the request body is malformed (invalid chunked framing); the client got 400"
                    + " or a reset";
            default: return "system error " + status;
        }
    }

    static HttpSysException exception(String operation, int status) {
        return new HttpSysException(operation + " failed: " + describe(status), status, Math.max(status, 0));
    }
}
