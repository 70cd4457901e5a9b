package io.switchyard.io.linux.uring;

import static io.switchyard.io.linux.uring.UringStructs.CQE;
import static io.switchyard.io.linux.uring.UringStructs.CQE_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.CQE_RES;
import static io.switchyard.io.linux.uring.UringStructs.CQE_USER_DATA;
import static io.switchyard.io.linux.uring.UringStructs.CQO_CQES;
import static io.switchyard.io.linux.uring.UringStructs.CQO_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.CQO_HEAD;
import static io.switchyard.io.linux.uring.UringStructs.CQO_RING_ENTRIES;
import static io.switchyard.io.linux.uring.UringStructs.CQO_RING_MASK;
import static io.switchyard.io.linux.uring.UringStructs.CQO_TAIL;
import static io.switchyard.io.linux.uring.UringStructs.CQ_OFF;
import static io.switchyard.io.linux.uring.UringStructs.PARAMS;
import static io.switchyard.io.linux.uring.UringStructs.P_CQ_ENTRIES;
import static io.switchyard.io.linux.uring.UringStructs.P_FEATURES;
import static io.switchyard.io.linux.uring.UringStructs.P_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.P_SQ_ENTRIES;
import static io.switchyard.io.linux.uring.UringStructs.SQE;
import static io.switchyard.io.linux.uring.UringStructs.SQE_ADDR;
import static io.switchyard.io.linux.uring.UringStructs.SQE_BUF_GROUP;
import static io.switchyard.io.linux.uring.UringStructs.SQE_FD;
import static io.switchyard.io.linux.uring.UringStructs.SQE_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.SQE_IOPRIO;
import static io.switchyard.io.linux.uring.UringStructs.SQE_LEN;
import static io.switchyard.io.linux.uring.UringStructs.SQE_MSG_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.SQE_OPCODE;
import static io.switchyard.io.linux.uring.UringStructs.SQE_USER_DATA;
import static io.switchyard.io.linux.uring.UringStructs.SQO_ARRAY;
import static io.switchyard.io.linux.uring.UringStructs.SQO_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.SQO_HEAD;
import static io.switchyard.io.linux.uring.UringStructs.SQO_RING_ENTRIES;
import static io.switchyard.io.linux.uring.UringStructs.SQO_RING_MASK;
import static io.switchyard.io.linux.uring.UringStructs.SQO_TAIL;
import static io.switchyard.io.linux.uring.UringStructs.SQ_INDEX;
import static io.switchyard.io.linux.uring.UringStructs.SQ_OFF;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One io_uring instance: the three mmap'd regions (SQ ring, CQ ring, SQE array) and the
 * single-producer / single-consumer protocol on them. Not thread-safe: its owner (one direction
 * of one socket) guarantees one thread at a time.
 *
 * <p>Memory ordering, the same as liburing's: we fill SQEs, then publish the SQ tail with a
 * release store, so the kernel never sees a tail before the entries it covers; we read the SQ
 * head (how far the kernel consumed) with an acquire load. On the CQ side the kernel publishes
 * its tail with a release store after writing the CQEs, we read it with an acquire load, read
 * the entries, then hand them back by storing the CQ head with release, so the kernel cannot
 * reuse a CQE slot we are still reading. The SQ index array is filled once with the identity
 * (slot i names SQE i), so only the tail moves.
 *
 * <p>Never waits: {@link #submit} calls {@code io_uring_enter} with {@code min_complete} 0, and a
 * caller that needs completions parks on an eventfd registered with {@link #registerEventfd}
 * (driven by the epoll poller), never in the kernel.
 *
 * <p>The mapped regions are tied to a shared {@link Arena}: after {@link #close()}, a stray access
 * fails with an exception instead of touching unmapped memory.
 */
public final class Ring implements AutoCloseable {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final int fd;
    private final int features;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sqSeg;
    private final MemorySegment cqSeg;
    private final MemorySegment sqeSeg;
    private final long sqHeadOff;
    private final long sqTailOff;
    private final long sqFlagsOff;
    private final int sqMask;
    private final int sqEntries;
    private final long cqHeadOff;
    private final long cqTailOff;
    private final long cqesOff;
    private final int cqMask;
    private final int cqEntries;
    private final long cqFlagsOff;
    /** Our copy of the SQ tail (only we write it) and how much of it the kernel has not been told. */
    private int sqTail;
    private int unsubmitted;
    /** Our copy of the CQ head. */
    private int cqHead;
    private boolean closed;

    private Ring(int fd, MemorySegment params, long sqAddr, long sqSize, long cqAddr, long cqSize,
                 long sqeAddr, long sqeSize) {
        this.fd = fd;
        this.features = (int) P_FEATURES.get(params, 0L);
        // munmap runs when the arena closes; until then a stale access cannot reach unmapped memory.
        sqSeg = MemorySegment.ofAddress(sqAddr).reinterpret(sqSize, arena, s -> UringCalls.unmapOnClose(sqAddr, sqSize));
        cqSeg = cqAddr == sqAddr ? sqSeg
                : MemorySegment.ofAddress(cqAddr).reinterpret(cqSize, arena, s -> UringCalls.unmapOnClose(cqAddr, cqSize));
        sqeSeg = MemorySegment.ofAddress(sqeAddr).reinterpret(sqeSize, arena, s -> UringCalls.unmapOnClose(sqeAddr, sqeSize));
        this.sqHeadOff = u32(SQO_HEAD.get(params, SQ_OFF));
        this.sqTailOff = u32(SQO_TAIL.get(params, SQ_OFF));
        this.sqFlagsOff = u32(SQO_FLAGS.get(params, SQ_OFF));
        this.sqMask = (int) INT.get(sqSeg, u32(SQO_RING_MASK.get(params, SQ_OFF)));
        this.sqEntries = (int) INT.get(sqSeg, u32(SQO_RING_ENTRIES.get(params, SQ_OFF)));
        this.cqHeadOff = u32(CQO_HEAD.get(params, CQ_OFF));
        this.cqTailOff = u32(CQO_TAIL.get(params, CQ_OFF));
        this.cqesOff = u32(CQO_CQES.get(params, CQ_OFF));
        this.cqFlagsOff = u32(CQO_FLAGS.get(params, CQ_OFF));
        this.cqMask = (int) INT.get(cqSeg, u32(CQO_RING_MASK.get(params, CQ_OFF)));
        this.cqEntries = (int) INT.get(cqSeg, u32(CQO_RING_ENTRIES.get(params, CQ_OFF)));
        long array = u32(SQO_ARRAY.get(params, SQ_OFF));
        for (int i = 0; i < sqEntries; i++) {
            INT.set(sqSeg, array + SQ_INDEX.byteSize() * i, i);
        }
        this.sqTail = (int) INT.get(sqSeg, sqTailOff);
        this.cqHead = (int) INT.get(cqSeg, cqHeadOff);
    }

    private static long u32(Object v) {
        return Integer.toUnsignedLong((int) v);
    }

    /**
     * Creates a ring with {@code sqEntries} submission and {@code cqEntries} completion entries
     * (both rounded up to powers of two by the kernel).
     */
    public static Ring open(int sqEntries, int cqEntries) throws TransportException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment p = a.allocate(PARAMS);
            P_FLAGS.set(p, 0L, Uring.IORING_SETUP_CQSIZE | Uring.IORING_SETUP_CLAMP);
            P_CQ_ENTRIES.set(p, 0L, cqEntries);
            int fd = UringCalls.setup(cs, sqEntries, p);
            if (fd < 0) {
                throw Errno.exception("io_uring_setup", -fd);
            }
            long sqAddr = 0;
            long cqAddr = 0;
            long sqSize = 0;
            long cqSize = 0;
            try {
                int sqN = (int) P_SQ_ENTRIES.get(p, 0L);
                int cqN = (int) P_CQ_ENTRIES.get(p, 0L);
                int feat = (int) P_FEATURES.get(p, 0L);
                sqSize = u32(SQO_ARRAY.get(p, SQ_OFF)) + SQ_INDEX.byteSize() * sqN;
                cqSize = u32(CQO_CQES.get(p, CQ_OFF)) + CQE.byteSize() * cqN;
                boolean single = (feat & Uring.IORING_FEAT_SINGLE_MMAP) != 0;
                if (single) {
                    sqSize = cqSize = Math.max(sqSize, cqSize);
                }
                sqAddr = map(cs, sqSize, fd, Uring.IORING_OFF_SQ_RING);
                cqAddr = single ? sqAddr : map(cs, cqSize, fd, Uring.IORING_OFF_CQ_RING);
                long sqeSize = SQE.byteSize() * sqN;
                long sqeAddr = map(cs, sqeSize, fd, Uring.IORING_OFF_SQES);
                return new Ring(fd, p, sqAddr, sqSize, cqAddr, cqSize, sqeAddr, sqeSize);
            } catch (TransportException | RuntimeException e) {
                if (sqAddr != 0) {
                    UringCalls.munmap(cs, sqAddr, sqSize);
                }
                if (cqAddr != 0 && cqAddr != sqAddr) {
                    UringCalls.munmap(cs, cqAddr, cqSize);
                }
                LibC.close(cs, fd);
                throw e;
            }
        }
    }

    private static long map(MemorySegment cs, long size, int fd, long offset) throws TransportException {
        long addr = UringCalls.mmap(cs, size, Uring.PROT_READ | Uring.PROT_WRITE,
                Uring.MAP_SHARED | Uring.MAP_POPULATE, fd, offset);
        if (addr < 0 && addr > -4096) {
            throw Errno.exception("mmap(io_uring)", (int) -addr);
        }
        return addr;
    }

    public int fd() {
        return fd;
    }

    public int features() {
        return features;
    }

    public int sqEntries() {
        return sqEntries;
    }

    public int cqEntries() {
        return cqEntries;
    }

    // ------------------------------------------------------------------ submission

    /** Free SQ entries now. */
    public int sqSpace() {
        int head = (int) INT.getAcquire(sqSeg, sqHeadOff);
        return sqEntries - (sqTail - head);
    }

    /**
     * Fills the next SQE (the caller checked {@link #sqSpace()}); every field is written, so no
     * stale value from the slot's previous use reaches the kernel, which rejects non-zero unused
     * fields for most opcodes.
     */
    public void prep(byte opcode, byte flags, short ioprio, int fd, long addr, int len, int msgFlags,
                     long userData, short bufGroup) {
        long o = SQE.byteSize() * (sqTail & sqMask);
        MemorySegment s = sqeSeg;
        for (long w = 0; w < SQE.byteSize(); w += Long.BYTES) {
            s.set(ValueLayout.JAVA_LONG, o + w, 0L);
        }
        SQE_OPCODE.set(s, o, opcode);
        SQE_FLAGS.set(s, o, flags);
        SQE_IOPRIO.set(s, o, ioprio);
        SQE_FD.set(s, o, fd);
        SQE_ADDR.set(s, o, addr);
        SQE_LEN.set(s, o, len);
        SQE_MSG_FLAGS.set(s, o, msgFlags);
        SQE_USER_DATA.set(s, o, userData);
        SQE_BUF_GROUP.set(s, o, bufGroup);
        sqTail++;
        unsubmitted++;
    }

    /**
     * Publishes the prepared SQEs (release store of the tail) and submits them with one
     * {@code io_uring_enter}, without waiting. Returns how many the kernel took (it may take
     * fewer; the rest stay queued for the next call) or -errno.
     */
    public int submit(MemorySegment cs) {
        INT.setRelease(sqSeg, sqTailOff, sqTail);
        if (unsubmitted == 0) {
            return 0;
        }
        int r;
        do {
            r = UringCalls.enter(cs, fd, unsubmitted, 0);
        } while (r == -Errno.EINTR);
        if (r > 0) {
            unsubmitted -= r;
        }
        return r;
    }

    /**
     * Submits every prepared SQE, calling {@code io_uring_enter} again while the kernel takes only
     * part of them. EAGAIN and EBUSY (the kernel short of memory, or a completion backlog) are
     * waited out with a flush and a spin, bounded by the completions the caller is about to reap;
     * any other error, or a kernel that takes nothing 10,000 times over, throws naming {@code call}.
     */
    public void submitAll(MemorySegment cs, String call) throws TransportException {
        int idle = 0;
        while (unsubmitted > 0) {
            int r = submit(cs);
            if (r <= 0 && ++idle > 10_000) {
                throw new TransportException(call + ": the kernel took no entries", call, "stuck");
            }
            if (r < 0) {
                int e = -r;
                if (e == Errno.EAGAIN || e == Errno.EBUSY) {
                    flush(cs);
                    Thread.onSpinWait();
                    continue;
                }
                throw Errno.exception(call, e);
            }
        }
    }

    /** SQEs prepared but not yet taken by the kernel. */
    public int unsubmitted() {
        return unsubmitted;
    }

    // ------------------------------------------------------------------ completion

    /** Completions ready to read (acquire load of the kernel's tail). */
    public int cqReady() {
        return (int) INT.getAcquire(cqSeg, cqTailOff) - cqHead;
    }

    /** user_data of the {@code i}-th ready completion (0 = oldest); valid until {@link #cqAdvance}. */
    public long cqeUserData(int i) {
        return (long) CQE_USER_DATA.get(cqSeg, cqeOffset(i));
    }

    public int cqeRes(int i) {
        return (int) CQE_RES.get(cqSeg, cqeOffset(i));
    }

    public int cqeFlags(int i) {
        return (int) CQE_FLAGS.get(cqSeg, cqeOffset(i));
    }

    private long cqeOffset(int i) {
        return cqesOff + CQE.byteSize() * ((cqHead + i) & cqMask);
    }

    /** Hands {@code n} read completions back to the kernel (release store of the head). */
    public void cqAdvance(int n) {
        cqHead += n;
        INT.setRelease(cqSeg, cqHeadOff, cqHead);
    }

    /**
     * True when completions are waiting in the kernel's overflow list (the CQ was full; with
     * IORING_FEAT_NODROP they are kept, not lost) and {@link #flush} should move them in.
     */
    public boolean overflowPending() {
        return ((int) INT.getAcquire(sqSeg, sqFlagsOff) & Uring.IORING_SQ_CQ_OVERFLOW) != 0;
    }

    /**
     * {@code io_uring_enter(GETEVENTS)} with {@code min_complete} 0: does not wait, but flushes
     * the overflow list into the CQ and runs this thread's pending io_uring task work.
     */
    public int flush(MemorySegment cs) {
        int r;
        do {
            r = UringCalls.enter(cs, fd, 0, Uring.IORING_ENTER_GETEVENTS);
        } while (r == -Errno.EINTR);
        return r;
    }

    /**
     * One step of waiting for completions that were not posted by the time {@code io_uring_enter}
     * returned (with MSG_DONTWAIT they normally are), without waiting in the kernel: flush, which
     * runs this thread's pending task work, and park 20 microseconds if that brought nothing.
     * {@code deadline} 0 starts a limit of 10 s from now; returns the deadline to pass next time.
     *
     * @throws TransportException when the deadline has passed, naming {@code call} and how many
     *         completions are {@code missing}
     */
    public long awaitCompletions(MemorySegment cs, long deadline, String call, int missing)
            throws TransportException {
        if (deadline == 0) {
            deadline = System.nanoTime() + LATE_LIMIT_NANOS;
        } else if (System.nanoTime() > deadline) {
            throw new TransportException(call + ": " + missing + (missing == 1 ? " completion" : " completions")
                    + " missing after 10 s", call, "timeout");
        }
        flush(cs);
        if (cqReady() == 0) {
            LockSupport.parkNanos(this, 20_000);
        }
        return deadline;
    }

    private static final long LATE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Turns the registered eventfd's signalling on or off (IORING_CQ_EVENTFD_DISABLED in the CQ
     * ring's flags, which only we write). Off while the consumer is busy reaping, so the kernel
     * does not wake the poller thread for completions nobody waits for.
     */
    public void eventfdEnabled(boolean on) {
        INT.setVolatile(cqSeg, cqFlagsOff, on ? 0 : Uring.IORING_CQ_EVENTFD_DISABLED);
    }

    // ------------------------------------------------------------------ registration

    /** IORING_REGISTER_EVENTFD: the kernel signals {@code eventFd} whenever it posts completions. */
    public void registerEventfd(MemorySegment cs, MemorySegment intCell, int eventFd) throws TransportException {
        intCell.set(ValueLayout.JAVA_INT, 0, eventFd);
        int r = UringCalls.register(cs, fd, Uring.IORING_REGISTER_EVENTFD, intCell.address(), 1);
        if (r < 0) {
            throw Errno.exception("io_uring_register(EVENTFD)", -r);
        }
    }

    /** Raw register call for the buffer ring and the probe (result or -errno). */
    public int register(MemorySegment cs, int opcode, long arg, int nrArgs) {
        return UringCalls.register(cs, fd, opcode, arg, nrArgs);
    }

    /**
     * Unmaps the rings and closes the fd; the kernel then cancels whatever is still in flight (a
     * caller that lent memory to the kernel unregisters it first: see {@code BufferRing}).
     * Idempotent; the owner guarantees no thread uses the ring any more.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        arena.close();
        try (Arena a = Arena.ofConfined()) {
            LibC.close(LibC.newCallState(a), fd);
        }
    }
}
