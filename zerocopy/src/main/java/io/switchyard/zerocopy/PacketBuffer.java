package io.switchyard.zerocopy;

import io.switchyard.io.SockAddr;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * One slot of a {@link MpmcBufferPool}: a fixed native segment plus the window
 * {@code [offset, offset + length)} that holds the datagram.
 *
 * <p>Contract: a buffer is owned by exactly one party at a time (an actor, or the kernel during
 * a zerocopy send, represented by {@link ZerocopyCompletionTracker}). The owner may read and
 * write the slot and must hand it on or {@linkplain #release() release} it exactly once. The
 * buffer object is reused for every acquisition of its slot, so a reference kept after release
 * is a bug the pool cannot always see: if the slot has been acquired again in the meantime, a
 * second release looks legitimate. Debug pools record the acquirer of every held slot to find
 * such bugs in tests.
 *
 * <p>Window and length changes are plain field writes: they are only valid for the owner, and
 * ownership transfer (a mailbox hand-off, the pool's CAS) publishes them.
 */
public final class PacketBuffer {
    static final int FREE = 0;
    static final int HELD = 1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PacketBuffer.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final MpmcBufferPool pool;
    private final MemorySegment slot;
    private final int index;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state = FREE;
    private int offset;
    private int length;
    /** A ByteBuffer over the whole slot, made on first use (most code paths need one). */
    private ByteBuffer view;
    /** Where the datagram came from, written by whoever received it; made on first use. */
    private SockAddr source;

    /** Chains the buffers of one outstanding zerocopy send; only the tracker touches it. */
    PacketBuffer chainNext;
    /** Incremented on every acquisition: lets tests tell "still the same ownership" apart. */
    int generation;
    /** Debug pools only: where the current holder acquired the slot. */
    volatile Throwable acquiredAt;
    /** Debug pools only: where the slot was last released, reported on a second release. */
    volatile Throwable releasedAt;

    PacketBuffer(MpmcBufferPool pool, MemorySegment slot, int index) {
        this.pool = pool;
        this.slot = slot;
        this.index = index;
    }

    /** The whole slot, {@link #capacity()} bytes, fixed for the life of the pool. */
    public MemorySegment slot() {
        return slot;
    }

    /** Slot size in bytes. */
    public int capacity() {
        return (int) slot.byteSize();
    }

    /** Start of the datagram inside the slot. */
    public int offset() {
        return offset;
    }

    /** Datagram length in bytes. */
    public int length() {
        return length;
    }

    /**
     * Sets the datagram window.
     *
     * @throws IndexOutOfBoundsException if the window does not fit in the slot
     */
    public PacketBuffer window(int offset, int length) {
        if (offset < 0 || length < 0 || offset > capacity() - length) {
            throw new IndexOutOfBoundsException(
                    "window [" + offset + ", +" + length + ") outside slot of " + capacity() + " bytes");
        }
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Sets the datagram length, keeping the offset. */
    public PacketBuffer length(int length) {
        return window(offset, length);
    }

    /** The datagram as a slice (allocates a segment view; hot paths should use slot + offset). */
    public MemorySegment data() {
        return slot.asSlice(offset, length);
    }

    /**
     * A direct {@link ByteBuffer} over the whole slot (position 0, limit = capacity),
     * made once per slot and reused by every owner: use absolute gets and puts only.
     */
    public ByteBuffer view() {
        ByteBuffer v = view;
        if (v == null) {
            v = slot.asByteBuffer();
            view = v;
        }
        return v;
    }

    /**
     * The sender of the datagram in this buffer: per-packet metadata that travels with it, as
     * the window does. The receiver writes it ({@link SockAddr#copyFrom}); it
     * is not cleared on release, so only a buffer's current owner's write means anything.
     */
    public SockAddr source() {
        SockAddr s = source;
        if (s == null) {
            s = SockAddr.allocate();
            source = s;
        }
        return s;
    }

    /** Slot number inside the pool, stable for the life of the pool. */
    public int index() {
        return index;
    }

    /** The pool this buffer returns to. */
    public MpmcBufferPool pool() {
        return pool;
    }

    /** True while some party owns the slot. */
    public boolean isHeld() {
        return (int) STATE.getVolatile(this) == HELD;
    }

    /**
     * Returns the slot to its pool. Equivalent to {@code pool().release(this)}.
     *
     * @return false if the slot was not held (a double release; counted, and thrown in debug pools)
     */
    public boolean release() {
        return pool.release(this);
    }

    /**
     * Marks a slot just popped from the free list as held. The popper owns the index
     * exclusively, so no CAS is needed; false if the slot was not free (a corrupt free list).
     */
    boolean markHeld() {
        if ((int) STATE.getAcquire(this) != FREE) {
            return false;
        }
        STATE.setRelease(this, HELD);
        return true;
    }

    boolean casState(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    void resetWindow() {
        offset = 0;
        length = 0;
    }

    @Override
    public String toString() {
        return "PacketBuffer[" + pool.name() + "#" + index + ", offset=" + offset + ", length=" + length + "]";
    }
}
