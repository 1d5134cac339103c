package dev.nettyhttpsys.transport;

import dev.nettyhttpsys.codec.EncodedSend;

/**
 * The sends a channel handed to the engine and the engine has not completed yet, oldest first
 * (the engine completes a connection's sends in order), each with the payload bytes it was
 * counted with, so the channel knows how much it has in the engine without an object per send.
 */
final class SendsInEngine {
    // Two to start (a power of two): usually one send is in the engine; they grow when more are.
    private EncodedSend[] sends = new EncodedSend[2];
    private long[] sizes = new long[2];
    private int head;
    private int count;
    private long bytes;

    void add(EncodedSend send, long size) {
        if (count == sends.length) {
            grow();
        }
        int tail = (head + count) & (sends.length - 1);
        sends[tail] = send;
        sizes[tail] = size;
        count++;
        bytes += size;
    }

    /** Takes back the send added last (the engine refused it). */
    EncodedSend removeLast() {
        int tail = (head + count - 1) & (sends.length - 1);
        EncodedSend send = sends[tail];
        sends[tail] = null;
        bytes -= sizes[tail];
        count--;
        return send;
    }

    /** The oldest send, which the engine has just completed; null when there is none. */
    EncodedSend removeFirst() {
        if (count == 0) {
            return null;
        }
        EncodedSend send = sends[head];
        sends[head] = null;
        bytes -= sizes[head];
        head = (head + 1) & (sends.length - 1);
        count--;
        return send;
    }

    /** Payload bytes of the sends in the engine. */
    long bytes() {
        return bytes;
    }

    boolean isEmpty() {
        return count == 0;
    }

    private void grow() {
        EncodedSend[] grownSends = new EncodedSend[sends.length * 2];
        long[] grownSizes = new long[sizes.length * 2];
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
