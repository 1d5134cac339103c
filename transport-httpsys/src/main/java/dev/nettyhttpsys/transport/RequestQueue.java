package dev.nettyhttpsys.transport;

import io.netty.channel.EventLoop;

/**
 * One native request queue, owned by an {@link HttpSysServerChannel} and used only on the event
 * loop whose engine loop created it (the engine contract). Its completions reach the server
 * channel's {@link HttpSysIoRegistration}; the operations of its connections' channels name it in
 * their {@link HttpSysIoOps} and run on this loop too.
 */
final class RequestQueue implements QueueHandle {
    private final HttpSysIoRegistration registration;
    private final EventLoop loop;
    private long handle;
    private boolean closed;

    RequestQueue(HttpSysIoRegistration registration, EventLoop loop) {
        this.registration = registration;
        this.loop = loop;
    }

    /**
     * Creates the native queue, registers the prefixes and starts receiving. On this loop.
     * {@code settings}: engine.h's QueueOptionIndex order ({@link ServerSettings#nativeSettings});
     * {@code listenAddress}: where the posix engine listens ("" = every address).
     */
    void open(String name, HttpSysQueueMode mode, long[] settings, Iterable<UrlPrefix> prefixes,
              String listenAddress) throws HttpSysException {
        if (mode != HttpSysQueueMode.CREATE && name.isEmpty()) {
            throw new IllegalArgumentException("REQUEST_QUEUE_MODE " + mode
                    + " needs a REQUEST_QUEUE_NAME: only named queues can be shared");
        }
        handle = registration.createQueue(name, listenAddress, settings);
        try {
            // An attached queue serves the URLs its creator registered.
            if (mode != HttpSysQueueMode.ATTACH) {
                for (UrlPrefix prefix : prefixes) {
                    Native.addUrl(handle, prefix.toString());
                }
            }
            Native.startQueue(handle);
        } catch (HttpSysException e) {
            close();
            throw e;
        }
    }

    EventLoop eventLoop() {
        return loop;
    }

    /** See {@link EngineLoop#runAfterDispatch}. */
    boolean runAfterDispatch(AfterDispatch task) {
        return registration.runAfterDispatch(task);
    }

    @Override
    public long handleIfOpen() {
        return closed ? 0 : handle;
    }

    /** Adds or removes one URL prefix while the queue runs. On this loop. */
    void changeUrl(UrlPrefix prefix, boolean add) throws HttpSysException {
        if (handle == 0 || closed) {
            throw new HttpSysException((add ? "addUrl " : "removeUrl ") + prefix + ": the request queue is closed",
                    EngineStatus.CANCELLED, 0);
        }
        if (add) {
            Native.addUrl(handle, prefix.toString());
        } else {
            Native.removeUrl(handle, prefix.toString());
        }
    }

    /** Stops receiving; pending operations complete as cancelled, then QUEUE_CLOSED arrives. On this loop. */
    void close() {
        if (!closed && handle != 0) {
            closed = true;
            Native.closeQueue(handle);
        }
    }

    /** QUEUE_CLOSED arrived: the engine deleted the queue. */
    void onClosed() {
        closed = true;
        handle = 0;
    }
}
