package io.switchyard.router.hub;

import io.switchyard.io.RecvBatch;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Receive batches shared by the receivers of connected sockets. A receiver holds a batch only
 * between "readable" and the end of its classification (the datagrams are copied into pooled
 * packet buffers there), never while it waits, so the batches in use at once are about as many
 * as there are carrier threads, not as many as there are peers: with GRO a batch is 64 slots of
 * 64 KiB, which per connected peer would cost megabytes.
 *
 * <p>Lock-free: free batches sit in a small array; acquire takes any non-null slot with a CAS,
 * release puts the batch into an empty one. An empty array makes a new batch (counted); a full
 * one closes the batch, so the pool stays at the peak concurrency it has seen, at most
 * {@link #SLOTS}.
 */
final class RecvBatches implements AutoCloseable {
    static final int SLOTS = 32;

    private final int capacity;
    private final int slotSize;
    private final AtomicReferenceArray<RecvBatch> free = new AtomicReferenceArray<>(SLOTS);
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();

    RecvBatches(int capacity, int slotSize) {
        this.capacity = capacity;
        this.slotSize = slotSize;
    }

    RecvBatch acquire() {
        for (int i = 0; i < SLOTS; i++) {
            RecvBatch b = free.get(i);
            if (b != null && free.compareAndSet(i, b, null)) {
                return b;
            }
        }
        created.incrementAndGet();
        return new RecvBatch(capacity, slotSize);
    }

    void release(RecvBatch b) {
        for (int i = 0; i < SLOTS; i++) {
            if (free.get(i) == null && free.compareAndSet(i, null, b)) {
                if (closed && free.compareAndSet(i, b, null)) {
                    b.close(); // raced with close(): it may have swept before this put
                }
                return;
            }
        }
        b.close();
    }

    /** Slots per batch. */
    int capacity() {
        return capacity;
    }

    /** Batches made so far (a gauge of the peak concurrency of connected receivers). */
    int created() {
        return created.get();
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < SLOTS; i++) {
            RecvBatch b = free.getAndSet(i, null);
            if (b != null) {
                b.close();
            }
        }
    }
}
