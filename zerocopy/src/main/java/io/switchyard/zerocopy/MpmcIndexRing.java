package io.switchyard.zerocopy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded multi-producer multi-consumer FIFO of {@code int} values (slot indexes), the free
 * list of {@link MpmcBufferPool}.
 *
 * <p>Algorithm: Dmitry Vyukov's bounded MPMC queue. Each cell carries a sequence number; a
 * producer claims cell {@code t} by CAS on the tail counter when the cell's sequence equals
 * {@code t}, writes the value and publishes sequence {@code t + 1}; a consumer claims cell
 * {@code h} by CAS on the head counter when the sequence equals {@code h + 1}, reads the value
 * and frees the cell for the next lap with sequence {@code h + capacity}. Producers and consumers
 * contend only among themselves, on separate counters kept on separate cache lines, which is
 * what matters when one thread acquires and another releases (a LIFO stack would bounce one
 * head word and the freshly released slot between them on every operation).
 *
 * <p>Neither "full" nor "empty" is ever reported falsely, because the pool relies on both: a
 * poll that meets a cell claimed but not yet published by a producer, while the tail is ahead,
 * waits for that producer ("empty" would drop a packet), and an offer that meets a cell a
 * consumer has claimed but not yet freed, while fewer than capacity values are queued, waits for
 * that consumer ("full" would lose a slot: the pool offers at most its slot count, which fits,
 * but only once every claimed cell is freed).
 */
final class MpmcIndexRing {
    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            var lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(MpmcIndexRing.class, "head", long.class);
            TAIL = lookup.findVarHandle(MpmcIndexRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final int EMPTY = -1;

    private final long[] sequence;
    private final int[] values;
    private final int mask;

    // Padding keeps head and tail on separate cache lines (field order is not guaranteed by the
    // JVM, but HotSpot lays out same-type fields in declaration order within a class).
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    @SuppressWarnings("unused") // accessed through HEAD
    private volatile long head;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    @SuppressWarnings("unused") // accessed through TAIL
    private volatile long tail;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;

    MpmcIndexRing(int minCapacity) {
        int capacity = Integer.highestOneBit(Math.max(2, minCapacity) - 1) << 1;
        sequence = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        for (int i = 0; i < capacity; i++) {
            sequence[i] = i;
        }
    }

    /**
     * Waiting on another thread's claim-to-publish window, a few instructions long unless that
     * thread was descheduled inside it; then only giving up the core lets it finish.
     */
    private static void backOff(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    int capacity() {
        return values.length;
    }

    /**
     * About how many values the ring holds: tail minus head, two volatile reads. Racy by
     * nature (claims in flight count as done), never negative, at most the capacity.
     */
    int approximateSize() {
        long h = (long) HEAD.getVolatile(this);
        long t = (long) TAIL.getVolatile(this);
        return (int) Math.clamp(t - h, 0, values.length);
    }

    /** Adds a value; false only if the ring is full (never, in the pool's use). */
    boolean offer(int value) {
        for (int spins = 0; ; spins++) {
            long t = (long) TAIL.getVolatile(this);
            int cell = (int) t & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            long diff = seq - t;
            if (diff == 0) {
                if (TAIL.compareAndSet(this, t, t + 1)) {
                    values[cell] = value;
                    SEQ.setRelease(sequence, cell, t + 1);
                    return true;
                }
            } else if (diff < 0 && t - (long) HEAD.getVolatile(this) >= values.length) {
                return false; // truly full, not a consumer between its claim and its release
            }
            backOff(spins);
        }
    }

    /** Takes the oldest value, or {@link #EMPTY} when there is none. */
    int poll() {
        for (int spins = 0; ; spins++) {
            long h = (long) HEAD.getVolatile(this);
            int cell = (int) h & mask;
            long seq = (long) SEQ.getAcquire(sequence, cell);
            long diff = seq - (h + 1);
            if (diff == 0) {
                if (HEAD.compareAndSet(this, h, h + 1)) {
                    int value = values[cell];
                    SEQ.setRelease(sequence, cell, h + mask + 1);
                    return value;
                }
            } else if (diff < 0 && (long) TAIL.getVolatile(this) == h) {
                return EMPTY; // truly empty, not a producer between its claim and its publish
            }
            backOff(spins);
        }
    }
}
