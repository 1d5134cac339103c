package dev.nettyhttpsys.transport;

/**
 * What one engine loop holds at a moment (engine.h {@code EngineStats}), for monitoring: under a
 * steady load every number should stay flat. Read with {@link HttpSysServerChannel#engineStats()}.
 */
public final class HttpSysEngineStats {
    /** Number of counters, in the order the engine writes them. */
    static final int COUNT = 11;

    private final long openConnections;
    private final long liveRequests;
    private final long pendingCompletions;
    private final long recordArenaBytes;
    private final long cacheEntries;
    private final long cacheBytes;
    private final long receiveBuffers;
    private final long receiveBufferBytes;
    private final long requestSlots;
    private final long outputQueues;
    private final long connectionWork;

    HttpSysEngineStats(long[] counters) {
        this.openConnections = counters[0];
        this.liveRequests = counters[1];
        this.pendingCompletions = counters[2];
        this.recordArenaBytes = counters[3];
        this.cacheEntries = counters[4];
        this.cacheBytes = counters[5];
        this.receiveBuffers = counters[6];
        this.receiveBufferBytes = counters[7];
        this.requestSlots = counters[8];
        this.outputQueues = counters[9];
        this.connectionWork = counters[10];
    }

    /** Client connections the loop holds (the Linux engine; HTTP.SYS keeps them in the kernel). */
    public long openConnections() {
        return openConnections;
    }

    /** Requests handed out, or about to be, and not finished. */
    public long liveRequests() {
        return liveRequests;
    }

    /** Completions waiting for the loop's next poll. */
    public long pendingCompletions() {
        return pendingCompletions;
    }

    /** Capacity of the per-poll request record arena, in bytes. */
    public long recordArenaBytes() {
        return recordArenaBytes;
    }

    /** Output cache entries (process-wide on the Linux engine). */
    public long cacheEntries() {
        return cacheEntries;
    }

    /** Output cache bytes (process-wide on the Linux engine). */
    public long cacheBytes() {
        return cacheBytes;
    }

    /**
     * Connections holding a receive buffer (the Linux engine): one reading a request holds one, an
     * idle keep-alive connection none.
     */
    public long receiveBuffers() {
        return receiveBuffers;
    }

    /** Bytes in receive buffers, held by connections or pooled for reuse (the Linux engine). */
    public long receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /**
     * Request slots held by connections (the Linux engine): a connection holds one per request in
     * flight, an idle keep-alive connection none.
     */
    public long requestSlots() {
        return requestSlots;
    }

    /**
     * Connections holding storage for queued output (the Linux engine): lent with their request
     * slots, so an idle keep-alive connection holds none.
     */
    public long outputQueues() {
        return outputQueues;
    }

    /**
     * Connections holding per-request work state (the Linux engine: parser, body reader, output
     * queue, timers, taken from a pool while a request is in flight), so an idle keep-alive
     * connection holds none.
     */
    public long connectionWork() {
        return connectionWork;
    }

    @Override
    public String toString() {
        return "connections=" + openConnections + " liveRequests=" + liveRequests + " pendingCompletions="
                + pendingCompletions + " recordArenaBytes=" + recordArenaBytes + " cacheEntries=" + cacheEntries
                + " cacheBytes=" + cacheBytes + " receiveBuffers=" + receiveBuffers + " receiveBufferBytes="
                + receiveBufferBytes + " requestSlots=" + requestSlots + " outputQueues=" + outputQueues
                + " connectionWork=" + connectionWork;
    }
}
