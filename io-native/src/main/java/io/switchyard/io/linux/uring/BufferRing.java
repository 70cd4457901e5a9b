package io.switchyard.io.linux.uring;

import static io.switchyard.io.linux.uring.UringStructs.BR_BGID;
import static io.switchyard.io.linux.uring.UringStructs.BR_RING_ADDR;
import static io.switchyard.io.linux.uring.UringStructs.BR_RING_ENTRIES;
import static io.switchyard.io.linux.uring.UringStructs.BUF;
import static io.switchyard.io.linux.uring.UringStructs.BUF_ADDR;
import static io.switchyard.io.linux.uring.UringStructs.BUF_BID;
import static io.switchyard.io.linux.uring.UringStructs.BUF_LEN;
import static io.switchyard.io.linux.uring.UringStructs.BUF_REG;
import static io.switchyard.io.linux.uring.UringStructs.BUF_RING_TAIL_OFFSET;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided-buffer ring (IORING_REGISTER_PBUF_RING): {@code entries} equal buffers owned by one
 * socket, which the kernel picks from, in ring order, for each datagram a multishot recvmsg
 * receives. The buffer id (bid) of a filled buffer comes back in its completion; the buffer is
 * then ours until we {@link #publish} it again, which is what "recycling" is: writing its
 * descriptor at the ring's tail, no copy. The tail is a u16 stored with release ordering after
 * the descriptors it covers ({@link #commit}); the kernel keeps the head.
 *
 * <p>Memory: descriptors and buffers are anonymous mappings, so untouched buffer pages cost
 * nothing (a 100-byte datagram makes one page of a 68 KiB buffer resident). The kernel writes
 * into the buffers at any time while they are published, so the memory must outlive the
 * registration: {@link #unregister} (synchronous: after it returns no receive can select a
 * buffer of this group) comes before {@link #close()} unmaps. Closing the arena also turns any
 * later Java access to a buffer (a batch still holding a lent one) into an exception, not a
 * fault.
 *
 * <p>Not thread-safe; the socket serialises calls.
 */
public final class BufferRing implements AutoCloseable {
    private static final VarHandle TAIL = ValueLayout.JAVA_SHORT.varHandle();

    private final int entries;
    private final int mask;
    private final int bufferSize;
    private final short bgid;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;
    private final MemorySegment[] buffers;
    private final boolean[] inKernel;
    private int tail;
    private int published;
    private boolean registered;

    /**
     * Maps {@code entries} (a power of two, at most 32,768) buffers of {@code bufferSize} bytes
     * (a multiple of the page size) and a descriptor ring; nothing is registered or published yet.
     */
    public BufferRing(int entries, int bufferSize, short bgid) throws TransportException {
        if (Integer.bitCount(entries) != 1 || entries > 32_768) {
            throw new IllegalArgumentException("entries must be a power of two up to 32768: " + entries);
        }
        if (bufferSize % Uring.PAGE != 0) {
            throw new IllegalArgumentException("buffer size must be a multiple of the page size: " + bufferSize);
        }
        this.entries = entries;
        this.mask = entries - 1;
        this.bufferSize = bufferSize;
        this.bgid = bgid;
        MemorySegment cs = LibC.newCallState(arena);
        long ringBytes = Math.max(Uring.PAGE, BUF.byteSize() * entries);
        // The kernel requires the descriptor ring page-aligned; mmap gives that.
        this.ring = anonymous(cs, ringBytes);
        MemorySegment data = anonymous(cs, (long) bufferSize * entries);
        this.buffers = new MemorySegment[entries];
        for (int i = 0; i < entries; i++) {
            buffers[i] = data.asSlice((long) bufferSize * i, bufferSize);
        }
        this.inKernel = new boolean[entries];
    }

    private MemorySegment anonymous(MemorySegment cs, long bytes) throws TransportException {
        long addr = UringCalls.mmap(cs, bytes, Uring.PROT_READ | Uring.PROT_WRITE,
                Uring.MAP_PRIVATE | Uring.MAP_ANONYMOUS, -1, 0);
        if (addr < 0 && addr > -4096) {
            arena.close();
            throw Errno.exception("mmap(buffer ring)", (int) -addr);
        }
        return MemorySegment.ofAddress(addr).reinterpret(bytes, arena, s -> UringCalls.unmapOnClose(addr, bytes));
    }

    public int entries() {
        return entries;
    }

    public int bufferSize() {
        return bufferSize;
    }

    public short groupId() {
        return bgid;
    }

    /** Buffers published to the kernel and not yet returned in a completion. */
    public int published() {
        return published;
    }

    /** Registers the ring with {@code ring} as buffer group {@link #groupId()}. */
    public void register(Ring uring, MemorySegment cs) throws TransportException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(BUF_REG);
            BR_RING_ADDR.set(reg, 0L, ring.address());
            BR_RING_ENTRIES.set(reg, 0L, entries);
            BR_BGID.set(reg, 0L, bgid);
            int r = uring.register(cs, Uring.IORING_REGISTER_PBUF_RING, reg.address(), 1);
            if (r < 0) {
                throw Errno.exception("io_uring_register(PBUF_RING)", -r);
            }
            registered = true;
        }
    }

    /**
     * Unregisters the group: synchronous in the kernel (under the ring's lock), so once this
     * returns no receive can pick one of these buffers. Returns 0 or -errno. Idempotent.
     */
    public int unregister(Ring uring, MemorySegment cs) {
        if (!registered) {
            return 0;
        }
        registered = false;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(BUF_REG);
            BR_BGID.set(reg, 0L, bgid);
            return uring.register(cs, Uring.IORING_UNREGISTER_PBUF_RING, reg.address(), 1);
        }
    }

    /** Queues buffer {@code bid} for the kernel (visible after {@link #commit}). */
    public void publish(int bid) {
        if (inKernel[bid]) {
            // Twice in the ring would let the kernel fill one buffer with two datagrams.
            throw new IllegalStateException("buffer " + bid + " is already published");
        }
        long d = BUF.byteSize() * (tail & mask);
        // Writing entry 0 must not clobber the tail that overlays its last two bytes: those
        // bytes are "resv" of the entry and the kernel ignores them; the tail is stored after.
        BUF_ADDR.set(ring, d, buffers[bid].address());
        BUF_LEN.set(ring, d, bufferSize);
        BUF_BID.set(ring, d, (short) bid);
        tail++;
        published++;
        inKernel[bid] = true;
    }

    /** Makes the published descriptors visible to the kernel: release store of the u16 tail. */
    public void commit() {
        TAIL.setRelease(ring, BUF_RING_TAIL_OFFSET, (short) tail);
    }

    /**
     * Takes buffer {@code bid} back from the kernel after a completion named it. False (and no
     * change) when the id is out of range or not currently published: a completion we cannot
     * trust, which the caller counts and ignores.
     */
    public boolean take(int bid) {
        if (bid < 0 || bid >= entries || !inKernel[bid]) {
            return false;
        }
        inKernel[bid] = false;
        published--;
        return true;
    }

    /** The buffer with id {@code bid}. */
    public MemorySegment buffer(int bid) {
        return buffers[bid];
    }

    /** Unmaps the buffers and the ring; {@link #unregister} must have come first. */
    @Override
    public void close() {
        arena.close();
    }
}
