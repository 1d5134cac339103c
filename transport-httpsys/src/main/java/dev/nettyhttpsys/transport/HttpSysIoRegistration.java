package dev.nettyhttpsys.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * A channel's registration with an engine loop ({@link EngineLoop}), as io_uring's: the engine reports
 * every completion with a token, and the token of a registration routes the completions of the
 * operations submitted through it ({@link HttpSysIoOps}) back to its {@link HttpSysIoHandle}.
 * A server channel's token also names its request queue, whose requests arrive the same way.
 *
 * <p>Cancelling keeps the token routed until every started operation has completed (the engine
 * still owns their buffers until then); the handle hears {@code unregistered()} after the last.
 */
final class HttpSysIoRegistration implements IoRegistration {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(HttpSysIoRegistration.class);

    private final EngineLoop loop;
    private final HttpSysIoHandle handle;
    private final long token;
    private int outstanding;
    private volatile boolean valid = true;
    // On the loop's thread: cancel() reached it. Set in order with the operations submitted
    // before cancel() from another thread, so none of them is refused for a removal it raced.
    private boolean cancelled;
    private boolean removed;

    HttpSysIoRegistration(EngineLoop loop, HttpSysIoHandle handle, long token) {
        this.loop = loop;
        this.handle = handle;
        this.token = token;
    }

    long token() {
        return token;
    }

    /**
     * This registration itself: the event loop hands channels a wrapper of it, and a channel
     * needs the loop and token behind that.
     */
    @SuppressWarnings("unchecked")
    @Override
    public <T> T attachment() {
        return (T) this;
    }

    /**
     * Creates a native request queue whose completions (and requests) reach this registration's
     * handle; QUEUE_CLOSED comes last. On the loop.
     */
    long createQueue(String name, String listenAddress, long[] settings) throws HttpSysException {
        long queue = loop.createQueue(token, name, listenAddress, settings);
        expectCompletion();  // the QUEUE_CLOSED
        return queue;
    }

    /** See {@link EngineLoop#runAfterDispatch}. */
    boolean runAfterDispatch(AfterDispatch task) {
        return loop.runAfterDispatch(task);
    }

    /** The counters of the engine loop this registration belongs to; on the loop. */
    HttpSysEngineStats engineStats() {
        return loop.stats();
    }

    /**
     * Starts the operation. On the loop's thread the engine status is returned (anything
     * {@link HttpSysIoOps#accepted} does not accept: refused, and no completion follows). From
     * another thread the operation is started there and 0 is returned; a refusal is then reported
     * as the operation's completion.
     */
    @Override
    public long submit(IoOps ops) {
        HttpSysIoOps operation = (HttpSysIoOps) ops;
        if (loop.inLoop()) {
            return start(operation);
        }
        HttpSysIoOps copy = operation.copy();
        boolean accepted = loop.execute(() -> {
            int status = start(copy);
            if (!copy.accepted(status) && copy.completes()) {
                outstanding++;  // reported as if it had started, so the count stays true
                dispatch(copy.completionType(), status, 0, 1, 0, null);  // one operation ended
            }
        });
        return accepted ? 0 : EngineStatus.CANCELLED;  // refused: the queue's loop has shut down
    }

    private int start(HttpSysIoOps operation) {
        int status = removed ? EngineStatus.CANCELLED : operation.start(token);
        if (operation.accepted(status) && operation.completes()) {
            outstanding++;
        }
        return status;
    }

    /** Something the engine will report later under this token (a queue until it closes) started. */
    void expectCompletion() {
        outstanding++;
    }

    /** Delivers a completion to the handle; on the loop's thread. */
    void dispatch(int type, int status, long requestId, long address, long length, ByteBuf record) {
        boolean ends = type == Native.SEND_COMPLETED || type == Native.BODY_RECEIVED || type == Native.QUEUE_CLOSED;
        try {
            handle.handle(this, loop.event().update(type, status, requestId, address, length, record));
        } catch (Throwable t) {
            logger.warn("completion handler of {} failed", handle, t);
        }
        if (ends && (outstanding -= HttpSysIoEvent.operations(type, address)) == 0 && cancelled) {
            remove();
        }
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public boolean cancel() {
        if (!valid) {
            return false;
        }
        valid = false;
        if (loop.inLoop()) {
            removeWhenIdle();
        } else if (!loop.execute(this::removeWhenIdle)) {
            handle.unregistered();  // the loop is gone, and its routing table with it
        }
        return true;
    }

    private void removeWhenIdle() {
        cancelled = true;
        if (outstanding == 0) {
            remove();
        }
    }

    private void remove() {
        if (removed) {
            return;
        }
        removed = true;
        loop.unregister(token);
        handle.unregistered();
    }

    /** Closes the handle: the loop shuts down. */
    void close() {
        try {
            handle.close();
        } catch (Exception e) {
            logger.debug("closing {} during shutdown failed", handle, e);
        }
    }
}
