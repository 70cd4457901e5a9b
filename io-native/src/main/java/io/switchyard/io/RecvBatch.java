package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.IOVEC;
import static io.switchyard.io.linux.LinuxStructs.IOV_BASE;
import static io.switchyard.io.linux.LinuxStructs.IOV_LEN;
import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROL;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOV;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOVLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAME;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;

import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A reusable batch of receive slots in native memory, filled by one
 * {@link UdpSocket#tryReceive(RecvBatch)} call. Owned by one thread (the receiving one).
 *
 * <p>Layout: {@code capacity} slots, each a native buffer of {@code slotSize} bytes with its own
 * 32-byte source-address area and control-message area, plus the {@code mmsghdr}/{@code iovec}
 * arrays that point at them, all built once. A receive call fills slots; a slot may hold one
 * datagram, or, on a GRO socket, a coalesced train that the socket splits back into datagrams, so
 * results are indexed by datagram: {@link #buffer(int)}, {@link #offset(int)},
 * {@link #length(int)}, with the source shared by all datagrams of one slot.
 *
 * <p>Zero-copy hand-off: {@link #attach(int, MemorySegment)} swaps a slot's buffer for a caller's
 * (e.g. a pooled packet buffer), so a datagram can be passed on without copying and the slot
 * re-armed with a fresh buffer. GRO needs slots of at least {@link #GRO_SLOT_SIZE} bytes.
 *
 * <p>How many datagrams one slot yields is the kernel's choice, not ours: a GRO socket on Linux
 * 6.x gets 128-segment trains whole (any local sender may send them), and nothing but the slot
 * size bounds the count in principle. The per-datagram index is sized for 128 per slot and grows
 * when a receive needs more, so no count the kernel can deliver is ever dropped or thrown on.
 *
 * <p>Lent buffers (the io_uring transport): there the kernel picks a buffer of the socket's
 * provided-buffer ring for each datagram. A slot holding the batch's own buffer is then
 * <em>lent</em> the ring buffer that holds the datagram ({@link #buffer(int)} returns it, and
 * {@link #offset(int)} is past the kernel's header), with no copy; the ring buffer goes back to
 * its socket when the batch is next cleared (the next receive call with this batch, on any
 * socket) or closed. A slot holding a buffer the caller attached keeps it: the datagram is
 * copied into it at offset 0. A lent slot cannot be re-attached until then (the buffer belongs
 * to the socket, not the caller).
 */
public final class RecvBatch implements AutoCloseable {
    /** Slot size a GRO socket needs: a coalesced train can be up to 64 KiB. */
    public static final int GRO_SLOT_SIZE = 65_535;
    /** Room for one UDP_GRO cmsg (int) and one SO_RXQ_OVFL cmsg (u32), plus slack. */
    static final long CONTROL_SPACE = 64;

    final int capacity;
    final Arena arena;
    final MemorySegment[] slots;
    final ByteBuffer[] views;
    final MemorySegment names;
    final MemorySegment controls;
    final MemorySegment msgs;
    final MemorySegment iovs;
    final MemorySegment callState;

    // Per datagram, grown on demand (see ensureRoom): never final, never too small.
    int[] dgSlot;
    int[] dgOffset;
    int[] dgLength;
    int count;
    /** Datagrams the last call dropped because they did not fit their slot (MSG_TRUNC). */
    int truncated;

    /** The batch's own slot buffers (a slot holding its own buffer may be lent a ring buffer). */
    final MemorySegment[] own;
    /** Slots lent a socket's ring buffer by the last call, the lender's token for each, and the lender. */
    private final int[] lentSlots;
    private final int[] lentTokens;
    private int lentCount;
    private Lender lender;

    /** Takes back buffers it lent to a batch ({@link #lend}); called once per batch clear, not per datagram. */
    interface Lender {
        void giveBack(int[] tokens, int count);
    }

    /** A batch of {@code capacity} slots of {@code slotSize} bytes each. */
    public RecvBatch(int capacity, int slotSize) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity must be 1..1024: " + capacity);
        }
        if (slotSize < 1) {
            throw new IllegalArgumentException("slotSize must be positive: " + slotSize);
        }
        this.capacity = capacity;
        this.limit = capacity;
        this.arena = Arena.ofShared();
        this.slots = new MemorySegment[capacity];
        this.views = new ByteBuffer[capacity];
        this.names = arena.allocate(SOCKADDR_STORAGE * capacity, 8);
        this.controls = arena.allocate(CONTROL_SPACE * capacity, 8);
        this.msgs = arena.allocate(MMSGHDR.byteSize() * capacity, 8);
        this.iovs = arena.allocate(IOVEC.byteSize() * capacity, 8);
        this.callState = LibC.newCallState(arena);
        this.own = new MemorySegment[capacity];
        this.lentSlots = new int[capacity];
        this.lentTokens = new int[capacity];
        MemorySegment data = arena.allocate((long) slotSize * capacity, 64);
        for (int i = 0; i < capacity; i++) {
            long m = MMSGHDR.byteSize() * i + MMSG_HDR_OFFSET;
            MSG_NAME.set(msgs, m, names.address() + SOCKADDR_STORAGE * i);
            MSG_IOV.set(msgs, m, iovs.address() + IOVEC.byteSize() * i);
            MSG_IOVLEN.set(msgs, m, 1L);
            MSG_CONTROL.set(msgs, m, controls.address() + CONTROL_SPACE * i);
            own[i] = data.asSlice((long) slotSize * i, slotSize);
            attach(i, own[i]);
        }
        // Sized for the largest train a kernel delivers whole today (a local GSO send of up to
        // UDP_MAX_SEGMENTS reaches a GRO socket unsplit; 128 since Linux 6.x, 64 before), so
        // the hot path never grows them; ensureRoom covers anything bigger.
        int initial = capacity * Linux.GRO_MAX_SEGMENTS;
        dgSlot = new int[initial];
        dgOffset = new int[initial];
        dgLength = new int[initial];
    }

    /** Number of slots. */
    public int capacity() {
        return capacity;
    }

    /** Slots the next receive calls may fill: {@link #capacity()} unless {@link #limit(int)} lowered it. */
    int limit;

    /**
     * Lets receive calls fill at most {@code slots} slots (1..capacity) from now on: a receiver
     * that has room for only so many datagrams (its buffer pool running low) takes fewer and
     * leaves the rest queued in the kernel. A GRO slot may still hold a train of many datagrams.
     */
    public void limit(int slots) {
        this.limit = Math.clamp(slots, 1, capacity);
    }

    /** Replaces slot {@code slot}'s buffer with {@code buffer} (native, at most 2 GiB); returns the old one. */
    public MemorySegment attach(int slot, MemorySegment buffer) {
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("receive buffers must be native memory");
        }
        if (buffer.byteSize() > Integer.MAX_VALUE || buffer.byteSize() == 0) {
            throw new IllegalArgumentException("buffer size out of range: " + buffer.byteSize());
        }
        for (int i = 0; i < lentCount; i++) {
            if (lentSlots[i] == slot) {
                throw new IllegalStateException("slot " + slot + " holds a buffer lent by the io_uring transport"
                        + " until the next receive call; copy the datagram out instead");
            }
        }
        MemorySegment old = slots[slot];
        slots[slot] = buffer;
        views[slot] = null;
        long v = IOVEC.byteSize() * slot;
        IOV_BASE.set(iovs, v, buffer.address());
        IOV_LEN.set(iovs, v, buffer.byteSize());
        return old;
    }

    /** The buffer currently in slot {@code slot}. */
    public MemorySegment slotBuffer(int slot) {
        return slots[slot];
    }

    /** Datagrams received by the last call. */
    public int count() {
        return count;
    }

    /**
     * Datagrams the last call received but dropped because they were longer than their slot
     * (MSG_TRUNC); not among {@link #count()}. Also counted in {@link IoCounter#TRUNCATED}.
     */
    public int truncated() {
        return truncated;
    }

    /** The slot that holds datagram {@code i}. */
    public int slot(int i) {
        check(i);
        return dgSlot[i];
    }

    /** The buffer holding datagram {@code i} (its slot's buffer; several GRO datagrams share one). */
    public MemorySegment buffer(int i) {
        check(i);
        return slots[dgSlot[i]];
    }

    /** Where datagram {@code i} starts in {@link #buffer(int)}. */
    public int offset(int i) {
        check(i);
        return dgOffset[i];
    }

    /** Length of datagram {@code i}. */
    public int length(int i) {
        check(i);
        return dgLength[i];
    }

    /** The sender's address bytes of datagram {@code i}, compared without allocation. */
    public boolean sourceEquals(int i, SockAddr address) {
        return address.sameAs(names, SOCKADDR_STORAGE * slot(i));
    }

    /** Copies the sender of datagram {@code i} into {@code target}. */
    public void copySource(int i, SockAddr target) {
        target.copyFrom(names, SOCKADDR_STORAGE * slot(i));
    }

    /** The sender of datagram {@code i}, decoded (allocates: for logs and tests). */
    public InetSocketAddress source(int i) {
        return SockAddr.decode(names, SOCKADDR_STORAGE * slot(i));
    }

    /** Frees the batch's own memory (attached caller buffers are not touched; lent ones go back). */
    @Override
    public void close() {
        returnLent();
        arena.close();
    }

    void clear() {
        count = 0;
        truncated = 0;
        if (lentCount > 0) {
            returnLent();
        }
    }

    /** True if slot {@code slot} holds the batch's own buffer (so it may be lent a ring buffer). */
    boolean holdsOwn(int slot) {
        return slots[slot] == own[slot];
    }

    /**
     * Lends slot {@code slot} (holding its own buffer) the ring buffer {@code buffer} of
     * {@code from} until the next {@link #clear()}; {@code token} names it to the lender. One
     * lender per batch at a time: a batch is filled by one receive call.
     */
    void lend(int slot, MemorySegment buffer, Lender from, int token) {
        lender = from;
        slots[slot] = buffer;
        views[slot] = null;
        lentSlots[lentCount] = slot;
        lentTokens[lentCount] = token;
        lentCount++;
    }

    private void returnLent() {
        int n = lentCount;
        if (n == 0) {
            return;
        }
        for (int i = 0; i < n; i++) {
            int s = lentSlots[i];
            slots[s] = own[s];
            views[s] = null;
        }
        Lender l = lender;
        lender = null;
        lentCount = 0;
        l.giveBack(lentTokens, n);
    }

    /**
     * Makes room for {@code more} further datagrams. A GRO slot of n bytes can in principle hold n
     * one-byte segments, far more than any kernel delivers; rather than size every batch for
     * that (or drop what does not fit), the index arrays grow, once, to what a call needs.
     */
    void ensureRoom(int more) {
        int needed = count + more;
        if (needed > dgSlot.length) {
            int size = Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, 2L * dgSlot.length));
            dgSlot = java.util.Arrays.copyOf(dgSlot, size);
            dgOffset = java.util.Arrays.copyOf(dgOffset, size);
            dgLength = java.util.Arrays.copyOf(dgLength, size);
        }
    }

    void add(int slot, int offset, int length) {
        int n = count;
        if (n == dgSlot.length) {
            ensureRoom(1);
        }
        dgSlot[n] = slot;
        dgOffset[n] = offset;
        dgLength[n] = length;
        count = n + 1;
    }

    /**
     * Adds what one receive put into slot {@code slot}: {@code length} bytes from {@code start},
     * which GRO coalesced from datagrams of {@code segment} bytes each (the last may be shorter)
     * when {@code segment} is positive and less than {@code length}, else one datagram. Returns
     * how many datagrams a coalesced slot gave, 0 for a single datagram. Any count the kernel
     * delivers fits: the index grows first rather than overflow.
     */
    int addReceived(int slot, int start, int length, int segment) {
        if (segment <= 0 || length <= segment) {
            add(slot, start, length);
            return 0;
        }
        int segments = (length + segment - 1) / segment;
        ensureRoom(segments);
        for (int off = 0; off < length; off += segment) {
            add(slot, start + off, Math.min(segment, length - off));
        }
        return segments;
    }

    ByteBuffer view(int slot) {
        ByteBuffer v = views[slot];
        if (v == null) {
            v = slots[slot].asByteBuffer();
            views[slot] = v;
        }
        return v.clear();
    }

    private void check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("datagram " + i + " of " + count);
        }
    }
}
