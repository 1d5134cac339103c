package dev.nettyhttpsys.transport;

import java.util.ArrayDeque;

/**
 * A first-in first-out queue that usually holds nothing or one element, as a keep-alive
 * connection's requests and responses do: that one is kept in a field, the ones after it in an
 * {@link ArrayDeque} made when a second is first added (pipelining). An idle connection's queues
 * then cost a field each instead of a deque and its array.
 */
final class SmallFifo<T> {
    private T first;
    private ArrayDeque<T> rest;

    void addLast(T element) {
        if (first == null) {
            first = element;
            return;
        }
        if (rest == null) {
            rest = new ArrayDeque<>(4);
        }
        rest.addLast(element);
    }

    /** The oldest element, or null when empty. */
    T peekFirst() {
        return first;
    }

    /** Removes and returns the oldest element, or null when empty. */
    T pollFirst() {
        T oldest = first;
        first = rest == null ? null : rest.pollFirst();
        return oldest;
    }

    boolean isEmpty() {
        return first == null;
    }
}
