package dev.nettyhttpsys.transport;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The JNI surface (native/jni/jni_bridge.cpp registers these in JNI_OnLoad). Handles are native
 * pointers; a queue handle is used only on the thread of the loop that created it.
 */
final class Native {
    /** Size of one completion record (engine.h {@code hsys::Completion}). */
    static final int COMPLETION_SIZE = 40;
    static final int REQUEST_RECEIVED = 1;
    static final int SEND_COMPLETED = 2;
    static final int BODY_RECEIVED = 3;
    static final int QUEUE_CLOSED = 4;
    static final int REQUEST_ABORTED = 5;
    /** A connection that delivered requests to the queue has ended; the completion's address is its id. */
    static final int CONNECTION_CLOSED = 6;

    private Native() {
    }

    /** The engine's binary contract as "name=value" lines (engine_abi.h); {@link EngineAbi} checks it at load. */
    static native String abiTable();

    static native long createLoop() throws HttpSysException;

    static native void destroyLoop(long loop);

    static native String backendName(long loop);

    static native void wakeup(long loop);

    static native int poll(long loop, long completions, int capacity, int timeoutMillis, RecordWindow window);

    /**
     * {@code settings} is ordered as engine.h {@code QueueOptionIndex} (see {@link ServerSettings});
     * {@code listenAddress} ("" = every address) is where the posix engine listens for wildcard prefixes.
     */
    static native long createQueue(long loop, long token, String name, String listenAddress, long[] settings)
            throws HttpSysException;

    static native void addUrl(long queue, String prefix) throws HttpSysException;

    static native void removeUrl(long queue, String prefix) throws HttpSysException;

    static native void startQueue(long queue) throws HttpSysException;

    static native int send(long queue, long requestId, long record, int recordLength, long token);

    static native int receiveBody(long queue, long requestId, long buffer, int capacity, long token);

    static native int cancel(long queue, long requestId);

    /** Closes a client connection after the responses already handed over (engine.h Queue::closeConnection). */
    static native int closeConnection(long queue, long connectionId);

    static native void closeQueue(long queue);

    /** Writes the loop's engine.h {@code EngineStats} into out ({@link HttpSysEngineStats#COUNT} slots). */
    static native void stats(long loop, long[] out);

    static native long bufferAddress(ByteBuffer directBuffer);

    /** The fd (POSIX) or HANDLE (Windows) behind a JDK FileChannel; -1 for other FileChannels. */
    static native long fileHandle(FileChannel channel);
}
