package dev.nettyhttpsys.transport;

/**
 * How a server channel opens its named request queue. Several processes can serve one queue:
 * one creates it, the others attach (like Node's cluster on one listening socket).
 */
public enum HttpSysQueueMode {
    /** Create the queue; binding fails if a queue of that name exists. */
    CREATE,
    /** Attach to a queue another process created and configured; register no URL prefixes. */
    ATTACH,
    /** Create the queue, or attach when it already exists. */
    CREATE_OR_ATTACH
}
