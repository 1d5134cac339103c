package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.EncodedSend;

/**
 * The sends a channel handed to the engine and the engine has not completed yet, oldest first
 * (the engine completes a connection's sends in order), each with the payload bytes it was
 * counted with, so the channel knows how much it has in the engine without an object per send.
 *
 * <p>Usually one send is in the engine: the oldest is kept in fields, and the ring for the ones
 * after it is made only when a second is added (pipelined or streamed responses), so a
 * keep-alive connection that never had two holds no arrays.
 */
final class SendsInEngine {
    private EncodedSend oldest;
    private long oldestSize;
    // The ones after the oldest: count in the ring from head; its length is a power of two.
    private EncodedSend[] sends;
    private long[] sizes;
    private int head;
    private int count;
    private long bytes;

    void add(EncodedSend send, long size) {
        bytes += size;
        if (oldest == null) {
            oldest = send;
            oldestSize = size;
            return;
        }
        if (sends == null || count == sends.length) {
            grow();
        }
        int tail = (head + count) & (sends.length - 1);
        sends[tail] = send;
        sizes[tail] = size;
        count++;
    }

    /** Takes back the send added last (the engine refused it). */
    EncodedSend removeLast() {
        if (count == 0) {
            EncodedSend send = oldest;
            bytes -= oldestSize;
            oldest = null;
            return send;
        }
        int tail = (head + count - 1) & (sends.length - 1);
        EncodedSend send = sends[tail];
        sends[tail] = null;
        bytes -= sizes[tail];
        count--;
        return send;
    }

    /** The oldest send, which the engine has just completed; null when there is none. */
    EncodedSend removeFirst() {
        EncodedSend send = oldest;
        if (send == null) {
            return null;
        }
        bytes -= oldestSize;
        if (count == 0) {
            oldest = null;
            return send;
        }
        oldest = sends[head];
        oldestSize = sizes[head];
        sends[head] = null;
        head = (head + 1) & (sends.length - 1);
        count--;
        return send;
    }

    /** Payload bytes of the sends in the engine. */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return oldest == null;
    }

    private void grow() {
        int length = sends == null ? 4 : sends.length * 2;
        EncodedSend[] grownSends = new EncodedSend[length];
        long[] grownSizes = new long[length];
        for (int i = 0; i < count; i++) {
            int from = (head + i) & (sends.length - 1);
            grownSends[i] = sends[from];
            grownSizes[i] = sizes[from];
        }
        sends = grownSends;
        sizes = grownSizes;
        head = 0;
    }
}
