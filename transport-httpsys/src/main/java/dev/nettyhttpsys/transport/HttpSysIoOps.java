package dev.nettyhttpsys.transport;

import io.netty.channel.IoOps;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * One engine operation a channel submits through its {@link HttpSysIoRegistration}: a send, a
 * body read, a cancel or a connection close on a request queue ({@link QueueHandle}). Its completion (for sends
 * and body reads) reaches the channel's {@link HttpSysIoHandle} as an {@link HttpSysIoEvent}
 * carrying the registration's token.
 *
 * <p>Channels refill one instance per thread ({@link #ofThisThread()}) for each operation, so a
 * connection holds none: submitting on the handler's thread reads it at once (no application
 * code runs between filling and reading it), and a submission from another thread works on a
 * {@link #copy()}.
 */
final class HttpSysIoOps implements IoOps {
    private static final FastThreadLocal<HttpSysIoOps> OF_THREAD = new FastThreadLocal<HttpSysIoOps>() {
        @Override
        protected HttpSysIoOps initialValue() {
            return new HttpSysIoOps();
        }
    };

    static final int SEND = 1;
    static final int RECEIVE_BODY = 2;
    static final int CANCEL = 3;
    static final int CLOSE_CONNECTION = 4;

    private int kind;
    private QueueHandle queue;
    private long id;
    private long address;
    private int length;

    /** This thread's instance, to fill and submit at once. */
    static HttpSysIoOps ofThisThread() {
        return OF_THREAD.get();
    }

    /** Sends the response record at address (recordLength bytes) for requestId. */
    HttpSysIoOps send(QueueHandle queue, long requestId, long address, int recordLength) {
        return set(SEND, queue, requestId, address, recordLength);
    }

    /** Reads request body bytes of requestId into capacity bytes of native memory at address. */
    HttpSysIoOps receiveBody(QueueHandle queue, long requestId, long address, int capacity) {
        return set(RECEIVE_BODY, queue, requestId, address, capacity);
    }

    /** Abandons requestId (the client sees a reset). */
    HttpSysIoOps cancel(QueueHandle queue, long requestId) {
        return set(CANCEL, queue, requestId, 0, 0);
    }

    /** Closes the connection after the responses already handed over. */
    HttpSysIoOps closeConnection(QueueHandle queue, long connectionId) {
        return set(CLOSE_CONNECTION, queue, connectionId, 0, 0);
    }

    private HttpSysIoOps set(int kind, QueueHandle queue, long id, long address, int length) {
        this.kind = kind;
        this.queue = queue;
        this.id = id;
        this.address = address;
        this.length = length;
        return this;
    }

    HttpSysIoOps copy() {
        return new HttpSysIoOps().set(kind, queue, id, address, length);
    }

    /**
     * Whether the engine took the operation: {@link EngineStatus#OK}, or for a send also
     * {@link EngineStatus#OK_COPIED}. Anything else failed: a negative status, or (Windows) a
     * positive system error code.
     */
    boolean accepted(long status) {
        return status == EngineStatus.OK || (kind == SEND && status == EngineStatus.OK_COPIED);
    }

    /** True for operations that end with a completion (a send or a body read). */
    boolean completes() {
        return kind == SEND || kind == RECEIVE_BODY;
    }

    /** The completion type a failed submission is reported as, or 0 when the operation has none. */
    int completionType() {
        return kind == SEND ? Native.SEND_COMPLETED : kind == RECEIVE_BODY ? Native.BODY_RECEIVED : 0;
    }

    /** Starts the operation; on the queue's loop. Returns an engine status. */
    int start(long token) {
        long handle = queue.handleIfOpen();
        if (handle == 0) {
            return EngineStatus.CANCELLED;
        }
        switch (kind) {
            case SEND:
                return Native.send(handle, id, address, length, token);
            case RECEIVE_BODY:
                return Native.receiveBody(handle, id, address, length, token);
            case CANCEL:
                return Native.cancel(handle, id);
            case CLOSE_CONNECTION:
                return Native.closeConnection(handle, id);
            default:
                throw new IllegalStateException("no operation set");
        }
    }
}
