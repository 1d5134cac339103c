package dev.nettyhttpsys.transport;

/**
 * The engine loop as its registrations see it. {@link HttpSysIoHandler} implements it in a private
 * adapter, so a registration calls down into its loop without naming the handler that owns and
 * dispatches to it (the handler stays public API; these calls stay plumbing).
 */
interface EngineLoop {
    /** True on the loop's thread. */
    boolean inLoop();

    /** Runs task on the loop; false when the loop has shut down (the engine loop is gone with it). */
    boolean execute(Runnable task);

    /** The event every completion is dispatched with (see {@link HttpSysIoEvent}). */
    HttpSysIoEvent event();

    /**
     * Creates a native request queue whose completions carry token; closed later with
     * {@link Native#closeQueue}, after which {@link Native#QUEUE_CLOSED} comes last. On the loop.
     */
    long createQueue(long token, String name, String listenAddress, long[] settings) throws HttpSysException;

    /** The engine loop's counters; on the loop. */
    HttpSysEngineStats stats();

    /**
     * Runs task once the batch of completions being dispatched is done: a connection's requests
     * of one batch then reach its pipeline together, as one socket read brings several (one
     * {@code channelReadComplete}, one flush). False when this thread is not the loop's or the
     * loop is not dispatching: then the caller goes on at once.
     */
    boolean runAfterDispatch(AfterDispatch task);

    /** Stops routing token's completions; on the loop. */
    void unregister(long token);
}
