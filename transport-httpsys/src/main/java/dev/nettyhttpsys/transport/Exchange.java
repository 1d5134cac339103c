package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.ResponseRecordEncoder;

/**
 * One request of a connection that the pipeline has seen, and the encoder of its response.
 * Responses pair with requests in order, as over a socket: a connection channel writes to the
 * oldest exchange whose response is not complete yet.
 */
final class Exchange {
    final long requestId;
    final ResponseRecordEncoder encoder;
    /** A send of its response reached the engine (the head went out, or is on its way). */
    boolean headSubmitted;
    /** The last send of its response reached the engine. */
    boolean responded;

    Exchange(long requestId, ResponseRecordEncoder encoder) {
        this.requestId = requestId;
        this.encoder = encoder;
    }
}
