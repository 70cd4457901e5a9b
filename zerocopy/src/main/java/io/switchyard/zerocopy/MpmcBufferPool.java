package io.switchyard.zerocopy;

import io.switchyard.counters.CounterSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded pool of fixed-size native packet buffers that any thread may acquire from and any
 * thread may release to (multi-producer, multi-consumer), without a lock.
 *
 * <p><b>Memory.</b> All slots are carved at construction from a few large page-aligned native
 * segments (at most {@value #CHUNK_BYTES} bytes each) of one shared arena, so a slot never moves,
 * never straddles a chunk and is never allocated again. {@link #close()} frees the arena.
 *
 * <p><b>Algorithm.</b> The free slots' indexes sit in a bounded MPMC FIFO ring
 * ({@link MpmcIndexRing}, Vyukov's sequence-numbered cells): acquire is one CAS on the ring's head,
 * release one CAS on its tail, on separate cache lines, so a thread that acquires and another
 * that releases (the router's receive-then-hand-off shape) do not contend. (The first version
 * was a LIFO Treiber stack, whose single head word both threads CAS; the two are compared in
 * docs/perf-zerocopy.md.) Each buffer also carries a FREE/HELD state; release switches it by
 * CAS, which is what detects a double release: the loser of the CAS never reaches the ring, so a
 * double release cannot corrupt the free list. (Acquire needs no CAS there: polling the index
 * already made the slot exclusively the caller's.)
 *
 * <p><b>Bounded.</b> When the stack is empty {@link #acquire()} returns {@code null} and counts
 * {@link ZerocopyCounter#POOL_EXHAUSTED}; the caller drops the packet. Nothing is allocated per
 * acquire or release (debug pools excepted).
 *
 * <p><b>Debug mode.</b> Records a stack trace at every acquire and release, so that
 * {@link #leaks()} names who holds every unreleased slot and a double release throws with the
 * first release attached. Tests run with it on; production leaves it off.
 */
public final class MpmcBufferPool implements AutoCloseable {
    /** Slot size of the MTU class: a 1500-byte datagram plus headroom, cache-line multiple. */
    public static final int MTU_SLOT_BYTES = 2048;
    /** Slot size of the large class: a GRO read or a GSO train (UDP max 65,507 + headers). */
    public static final int LARGE_SLOT_BYTES = 65536;
    /** Largest native segment the slots are carved from. */
    public static final int CHUNK_BYTES = 4 << 20;

    private static final long PAGE = 4096;

    private final String name;
    private final int slotBytes;
    private final boolean debug;
    private final CounterSet<ZerocopyCounter> counters;
    private final Arena arena;
    private final PacketBuffer[] buffers;
    private final MpmcIndexRing free;
    private volatile boolean closed;

    /**
     * Creates a pool of {@code slotCount} slots of {@code slotBytes} each.
     *
     * @param name      for diagnostics ("mtu", "large", ...)
     * @param slotBytes slot size, a positive multiple of 64 and at most {@link #CHUNK_BYTES}
     * @param slotCount number of slots, positive
     * @param debug     record acquire/release sites (tests)
     * @param counters  where exhaustion and release errors are counted
     */
    public MpmcBufferPool(String name, int slotBytes, int slotCount, boolean debug, CounterSet<ZerocopyCounter> counters) {
        if (slotBytes <= 0 || slotBytes % 64 != 0 || slotBytes > CHUNK_BYTES) {
            throw new IllegalArgumentException("slot size must be a positive multiple of 64 up to "
                    + CHUNK_BYTES + ": " + slotBytes);
        }
        if (slotCount <= 0) {
            throw new IllegalArgumentException("slot count must be positive: " + slotCount);
        }
        this.name = name;
        this.slotBytes = slotBytes;
        this.debug = debug;
        this.counters = counters;
        this.arena = Arena.ofShared();
        this.buffers = new PacketBuffer[slotCount];
        this.free = new MpmcIndexRing(slotCount);
        int slotsPerChunk = CHUNK_BYTES / slotBytes;
        MemorySegment chunk = null;
        for (int i = 0; i < slotCount; i++) {
            int inChunk = i % slotsPerChunk;
            if (inChunk == 0) {
                long chunkBytes = (long) Math.min(slotsPerChunk, slotCount - i) * slotBytes;
                chunk = arena.allocate(chunkBytes, PAGE);
            }
            buffers[i] = new PacketBuffer(this, chunk.asSlice((long) inChunk * slotBytes, slotBytes), i);
        }
        // A fresh pool hands slots out in address order.
        for (int i = 0; i < slotCount; i++) {
            free.offer(i);
        }
    }

    /** An MTU-class pool. */
    public static MpmcBufferPool mtu(int slotCount, boolean debug, CounterSet<ZerocopyCounter> counters) {
        return new MpmcBufferPool("mtu", MTU_SLOT_BYTES, slotCount, debug, counters);
    }

    /** A 64 KiB-class pool for GRO reads and GSO trains. */
    public static MpmcBufferPool large(int slotCount, boolean debug, CounterSet<ZerocopyCounter> counters) {
        return new MpmcBufferPool("large", LARGE_SLOT_BYTES, slotCount, debug, counters);
    }

    /**
     * Takes a free slot, its window reset to {@code [0, 0)}.
     *
     * @return the buffer, now owned by the caller, or {@code null} when the pool is empty
     *         (counted as {@link ZerocopyCounter#POOL_EXHAUSTED}; drop the packet)
     * @throws IllegalStateException if the pool is closed
     */
    public PacketBuffer acquire() {
        if (closed) {
            throw new IllegalStateException("pool " + name + " is closed");
        }
        int index = free.poll();
        if (index == MpmcIndexRing.EMPTY) {
            counters.increment(ZerocopyCounter.POOL_EXHAUSTED);
            return null;
        }
        PacketBuffer buffer = buffers[index];
        if (!buffer.markHeld()) {
            // Only reachable if the free list itself is corrupt: a real bug, not bad input.
            throw new IllegalStateException("slot " + index + " of pool " + name + " was on the free list while held");
        }
        buffer.generation++;
        buffer.resetWindow();
        if (debug) {
            buffer.acquiredAt = new Throwable("slot " + index + " of pool " + name + " acquired here by "
                    + Thread.currentThread());
        }
        return buffer;
    }

    /**
     * Returns a slot. The caller gives up ownership.
     *
     * @return true if released; false if the slot was not held (a double release, counted as
     *         {@link ZerocopyCounter#DOUBLE_RELEASE}; the pool is unchanged)
     * @throws IllegalStateException    on a double release in a debug pool, with the earlier
     *                                  release attached as the cause
     * @throws IllegalArgumentException if the buffer belongs to another pool (counted)
     */
    public boolean release(PacketBuffer buffer) {
        if (buffer.pool() != this) {
            counters.increment(ZerocopyCounter.FOREIGN_RELEASE);
            throw new IllegalArgumentException(buffer + " released to pool " + name);
        }
        if (!buffer.casState(PacketBuffer.HELD, PacketBuffer.FREE)) {
            counters.increment(ZerocopyCounter.DOUBLE_RELEASE);
            if (debug) {
                throw new IllegalStateException("slot " + buffer.index() + " of pool " + name
                        + " released twice; the earlier release is the cause", buffer.releasedAt);
            }
            return false;
        }
        if (debug) {
            buffer.acquiredAt = null;
            buffer.releasedAt = new Throwable("slot " + buffer.index() + " of pool " + name
                    + " released here by " + Thread.currentThread());
        }
        if (!free.offer(buffer.index())) {
            throw new IllegalStateException("free list of pool " + name + " overflowed"); // a bug, not input
        }
        return true;
    }

    /** Diagnostic name. */
    public String name() {
        return name;
    }

    /** Slot size in bytes. */
    public int slotBytes() {
        return slotBytes;
    }

    /** Total number of slots. */
    public int capacity() {
        return buffers.length;
    }

    /** Whether acquire/release sites are recorded. */
    public boolean debug() {
        return debug;
    }

    /** The counters this pool updates. */
    public CounterSet<ZerocopyCounter> counters() {
        return counters;
    }

    /**
     * About how many slots are free now: two volatile reads, no scan, so the data path may ask
     * before each receive call (a receiver that would only drop what it reads waits instead).
     */
    public int approximateFree() {
        return free.approximateSize();
    }

    /** Slots held right now. Scans every slot: for metrics and tests, not the data path. */
    public int inUse() {
        int n = 0;
        for (PacketBuffer b : buffers) {
            if (b.isHeld()) {
                n++;
            }
        }
        return n;
    }

    /**
     * The slots held right now, each with where it was acquired (debug pools; otherwise the
     * site is {@code null}). An empty list after a test means nothing leaked.
     */
    public List<Leak> leaks() {
        var leaks = new ArrayList<Leak>();
        for (PacketBuffer b : buffers) {
            if (b.isHeld()) {
                leaks.add(new Leak(name, b.index(), b.acquiredAt));
            }
        }
        return leaks;
    }

    /** A held slot and, in debug pools, the stack trace of its acquisition. */
    public record Leak(String pool, int slot, Throwable acquiredAt) {}

    /**
     * Frees the native memory. Every holder must be done first, the kernel included: close the
     * completion trackers (and their sockets) before the pool. Later accesses to any slot fail
     * with {@link IllegalStateException} rather than touching freed memory.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "MpmcBufferPool[" + name + ", " + buffers.length + " x " + slotBytes + " B]";
    }
}
