package io.switchyard.bench.zerocopy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A fixed single-producer single-consumer ring used as the hand-off between the two threads of
 * the cross-thread pool benchmarks; both variants pay the same hand-off cost, so the difference
 * is the pool. Not a product queue (the actor mailboxes are).
 */
final class SpscRing<E> {
    private final AtomicReferenceArray<E> slots;
    private final int mask;
    private final AtomicLong head = new AtomicLong(); // next to poll; written by the consumer
    private final AtomicLong tail = new AtomicLong(); // next to offer; written by the producer

    SpscRing(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        slots = new AtomicReferenceArray<>(capacity);
        mask = capacity - 1;
    }

    boolean offer(E e) {
        long t = tail.getPlain();
        if (t - head.getAcquire() == slots.length()) {
            return false;
        }
        slots.setPlain((int) t & mask, e);
        tail.setRelease(t + 1);
        return true;
    }

    E poll() {
        long h = head.getPlain();
        if (h == tail.getAcquire()) {
            return null;
        }
        E e = slots.getPlain((int) h & mask);
        slots.setPlain((int) h & mask, null);
        head.setRelease(h + 1);
        return e;
    }
}
