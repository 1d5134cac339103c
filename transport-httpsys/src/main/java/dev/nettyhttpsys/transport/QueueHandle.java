package dev.nettyhttpsys.transport;

/**
 * A native request queue as an engine operation sees it: the handle to call, while the queue is
 * open. {@link RequestQueue} is the one implementation; operations ({@link HttpSysIoOps}) name
 * this instead, so the IO layer never reaches up to the queue that submits through it.
 */
interface QueueHandle {
    /** The native handle while the queue is open, else 0; on the queue's loop. */
    long handleIfOpen();
}
