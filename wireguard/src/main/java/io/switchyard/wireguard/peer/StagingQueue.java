package io.switchyard.wireguard.peer;

import java.util.function.Consumer;

/**
 * Packets waiting for a session (wireguard-go's staged queue): a bounded FIFO that, when full,
 * gives up its oldest element to make room, as wireguard-go does, because the newest packets are
 * the ones a sender still cares about once the handshake completes. The evicted element is
 * returned so the caller can release its buffer and count the drop.
 *
 * <p>A ring of {@code capacity} slots; not thread-safe (it belongs to the peer's owner).
 */
public final class StagingQueue<T> {
    /** wireguard-go's QueueStagedSize. */
    public static final int DEFAULT_CAPACITY = 128;

    private static final Object[] EMPTY = new Object[0];
    private final int capacity;
    /** Made on the first offer: most peers never stage anything, and 128 slots cost 528 bytes. */
    private Object[] ring = EMPTY;
    private int head;
    private int size;

    public StagingQueue(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Appends {@code element}; returns the oldest element it displaced when full, else null. */
    @SuppressWarnings("unchecked")
    public T offer(T element) {
        if (ring.length == 0) {
            ring = new Object[capacity];
        }
        T evicted = null;
        if (size == ring.length) {
            evicted = (T) ring[head];
            ring[head] = null;
            head = (head + 1) % ring.length;
            size--;
        }
        ring[(head + size) % ring.length] = element;
        size++;
        return evicted;
    }

    /** Removes and returns the oldest element, or null when empty. */
    @SuppressWarnings("unchecked")
    public T poll() {
        if (size == 0) {
            return null;
        }
        T e = (T) ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        return e;
    }

    /** Removes every element, oldest first, handing each to {@code action}. */
    public void drain(Consumer<? super T> action) {
        for (T e = poll(); e != null; e = poll()) {
            action.accept(e);
        }
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int capacity() {
        return capacity;
    }
}
