package io.switchyard.io;

import static io.switchyard.io.UringUdpSocket.UD_KIND_MASK;
import static io.switchyard.io.UringUdpSocket.UD_RECV;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROLLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static io.switchyard.io.linux.uring.UringStructs.RECVMSG_OUT;
import static io.switchyard.io.linux.uring.UringStructs.RO_CONTROLLEN;
import static io.switchyard.io.linux.uring.UringStructs.RO_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.RO_NAMELEN;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.errors.WaitInterruptedException;
import io.switchyard.io.linux.EpollPoller;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import io.switchyard.io.linux.uring.BufferRing;
import io.switchyard.io.linux.uring.Ring;
import io.switchyard.io.linux.uring.Uring;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The receive side of an {@link UringUdpSocket}: one multishot IORING_OP_RECVMSG on its own
 * ring, fed by a provided-buffer ring ({@link BufferRing}) of {@value #RECV_BUFFERS} buffers of
 * {@value #RECV_BUFFER_SIZE} bytes.
 *
 * <p>The request is armed by the first receive call, not at open, so that its receive work runs
 * as task work of the receiving thread (an opener asleep elsewhere costs an extra thread wake-up
 * per burst), and stays armed on the socket. The kernel receives each datagram into the next
 * buffer, writing {@code io_uring_recvmsg_out}, the source address ({@value #RECV_NAME_SPACE}
 * bytes reserved, so the control messages after it stay 8-aligned), the control messages (GRO
 * segment size, SO_RXQ_OVFL) and the payload, and posts one completion naming the buffer.
 *
 * <p>{@link #tryReceive} reads up to a batch's capacity of completions and lends each buffer to
 * a batch slot (no copy: {@link RecvBatch#offset(int)} is past the header); the buffers go back
 * into the ring when the batch is next cleared ({@link #giveBack}). A slot holding a
 * caller-attached buffer gets the datagram copied in, and the ring buffer is recycled at once.
 *
 * <p>The kernel ends a multishot request when the ring runs empty (ENOBUFS: datagrams wait in
 * the socket queue, nothing is lost), on a zero-length datagram, or on an error; a completion
 * without IORING_CQE_F_MORE says so, and the request is re-armed (counted) as soon as the ring
 * has a buffer. A datagram longer than the slot it would go to is dropped and counted as
 * truncated, as on the other transports.
 *
 * <p>Waiting: the ring's eventfd is registered with the {@link EpollPoller}; a waiter parks on
 * its {@link Readiness} after seeing an empty completion queue. Guarded by one lock: the
 * receiving thread, and {@code giveBack} from whoever clears a batch.
 */
final class UringReceiver implements RecvBatch.Lender {
    private static final System.Logger LOG = System.getLogger("io.switchyard.io");

    /** Provided receive buffers per socket: several batches' worth, so the kernel keeps receiving while a batch is processed. */
    static final int RECV_BUFFERS = 256;
    /** 17 pages: the largest UDP payload (65,507) plus the header below, rounded to the page. */
    static final int RECV_BUFFER_SIZE = 69_632;
    static final int RECV_NAME_SPACE = 32;
    static final int RECV_CONTROL_SPACE = 64;
    /**
     * Completion queue entries: at most one completion per published buffer is outstanding, plus
     * completions that carry no buffer (a request's end, an error); twice the buffers holds both.
     */
    static final int RECV_CQ_ENTRIES = 2 * RECV_BUFFERS;
    private static final MemorySegment ZEROS = Arena.global().allocate(SOCKADDR_STORAGE);

    private final int fd;
    private final FdLifecycle lifecycle;
    private final IoCounters counters;
    /** The receiving thread's per-call tally (under recvLock). */
    private final ReceiveTally tally;
    private final ReentrantLock recvLock = new ReentrantLock();
    private final Ring recvRing;
    private final BufferRing buffers;
    private final int recvEventFd;
    private final Readiness recvReady;
    private final MemorySegment recvMsg;
    private final MemorySegment recvState;
    private final int recvHeader;
    private final int controlSpace;
    private volatile boolean armed;
    private boolean everArmed;
    /** A receive error met while datagrams were being returned: thrown by the next call. */
    private int deferredError;
    private boolean recvTornDown;

    /**
     * Takes over {@code recvRing}, {@code buffers} (registered, every buffer published) and the
     * ring's eventfd with its readiness; {@code arena} holds the msghdr template and call state.
     */
    UringReceiver(AbstractLinuxUdpSocket socket, Ring recvRing, BufferRing buffers, int recvEventFd,
                  Readiness recvReady, Arena arena) {
        this.fd = socket.fd;
        this.lifecycle = socket.lifecycle;
        this.counters = socket.counters;
        this.tally = new ReceiveTally(socket.groOn, socket.rxqOn);
        this.recvRing = recvRing;
        this.buffers = buffers;
        this.recvEventFd = recvEventFd;
        this.recvReady = recvReady;
        this.controlSpace = socket.groOn || socket.rxqOn ? RECV_CONTROL_SPACE : 0;
        this.recvHeader = (int) RECVMSG_OUT.byteSize() + RECV_NAME_SPACE + controlSpace;
        this.recvMsg = arena.allocate(MSGHDR);
        // The template multishot recvmsg copies at submission: name and control sizes reserve
        // room in every buffer; no iovec (iovlen 0: the whole provided buffer is used).
        MSG_NAMELEN.set(recvMsg, 0L, RECV_NAME_SPACE);
        MSG_CONTROLLEN.set(recvMsg, 0L, (long) controlSpace);
        this.recvState = LibC.newCallState(arena);
    }

    /** Submits the multishot recvmsg (recvLock held). */
    private void arm() throws TransportException {
        if (recvRing.unsubmitted() == 0) {
            if (recvRing.sqSpace() == 0) {
                return; // cannot happen with one request in flight; the next call retries
            }
            recvRing.prep(Uring.IORING_OP_RECVMSG, Uring.IOSQE_BUFFER_SELECT, Uring.IORING_RECV_MULTISHOT, fd,
                    recvMsg.address(), 0, 0, UD_RECV, buffers.groupId());
        }
        int r = recvRing.submit(recvState);
        if (r < 0) {
            int e = -r;
            if (e == Errno.EAGAIN || e == Errno.EBUSY || e == Errno.ENOMEM) {
                return; // the entry stays queued; the next receive call submits it again
            }
            throw Errno.exception("io_uring_enter(RECVMSG multishot)", e);
        }
        armed = true;
        if (everArmed) {
            counters.add(IoCounter.URING_REARMS, 1);
        }
        everArmed = true;
    }

    /**
     * Receives what the ring holds now into {@code batch}, which the caller has cleared (outside
     * our lock: clearing may give buffers back to this socket or to another one, and taking two
     * sockets' locks in opposite orders could deadlock).
     */
    int tryReceive(RecvBatch batch) throws TransportException {
        lifecycle.acquire("io_uring recvmsg");
        recvLock.lock();
        try {
            return collect(batch);
        } finally {
            recvLock.unlock();
            lifecycle.release();
        }
    }

    private int collect(RecvBatch batch) throws TransportException {
        if (deferredError != 0) {
            int e = deferredError;
            deferredError = 0;
            throw Errno.exception("io_uring recvmsg", e);
        }
        if (!armed && buffers.published() > 0) {
            arm();
        }
        Ring ring = recvRing;
        if (ring.overflowPending()) {
            ring.flush(recvState);
        }
        int ready = ring.cqReady();
        if (ready == 0) {
            return 0;
        }
        if (EVENTFD_TOGGLE) {
            ring.eventfdEnabled(false); // busy: awaitReadable turns it back on before parking
        }
        int capacity = batch.limit;
        int slot = 0;
        ReceiveTally t = tally;
        t.start();
        int bad = 0;
        int exhausted = 0;
        int fatal = 0;
        boolean republished = false;
        int i = 0;
        for (; i < ready && slot < capacity; i++) {
            long ud = ring.cqeUserData(i);
            int res = ring.cqeRes(i);
            int flags = ring.cqeFlags(i);
            if ((ud & UD_KIND_MASK) != UD_RECV) {
                bad++;
                continue;
            }
            if ((flags & Uring.IORING_CQE_F_MORE) == 0) {
                armed = false; // the kernel ended the multishot request; re-armed below
            }
            int bid = (flags & Uring.IORING_CQE_F_BUFFER) != 0 ? flags >>> Uring.IORING_CQE_BUFFER_SHIFT : -1;
            if (res < 0) {
                if (bid >= 0 && buffers.take(bid)) {
                    buffers.publish(bid);
                    republished = true;
                }
                int e = -res;
                if (e == Errno.ENOBUFS) {
                    exhausted++;
                } else if (e == Errno.ECANCELED || e == Errno.EINTR) {
                    // ended from outside (the submitting carrier thread exited, or a cancel): re-arm
                } else if (Errno.isPerDatagram(e)) {
                    t.errors++; // a queued ICMP error (e.g. ECONNREFUSED on a connected socket)
                } else {
                    fatal = e;
                }
                continue;
            }
            if (bid < 0 || !buffers.take(bid)) {
                bad++;
                continue;
            }
            MemorySegment buf = buffers.buffer(bid);
            int len = res - recvHeader;
            int mflags = (int) RO_FLAGS.get(buf, 0L);
            if (len < 0) {
                bad++;
                buffers.publish(bid);
                republished = true;
                continue;
            }
            if ((mflags & Linux.MSG_TRUNC) != 0) {
                t.truncated++; // longer than a ring buffer: cannot happen below 64 KiB, counted anyway
                buffers.publish(bid);
                republished = true;
                continue;
            }
            int segment = controlSpace == 0 ? 0 : t.control(buf, RECVMSG_OUT.byteSize() + RECV_NAME_SPACE,
                    Math.min(Integer.toUnsignedLong((int) RO_CONTROLLEN.get(buf, 0L)), controlSpace));
            MemorySegment target = batch.slots[slot];
            if (len > target.byteSize()) {
                t.truncated++; // the same rule as recvmmsg: the datagram must fit the slot
                buffers.publish(bid);
                republished = true;
                continue;
            }
            int namelen = Math.min(Math.max((int) RO_NAMELEN.get(buf, 0L), 0), RECV_NAME_SPACE);
            long name = SOCKADDR_STORAGE * slot;
            MemorySegment.copy(buf, RECVMSG_OUT.byteSize(), batch.names, name, namelen);
            MemorySegment.copy(ZEROS, 0, batch.names, name + namelen, SOCKADDR_STORAGE - namelen);
            int start;
            if (batch.holdsOwn(slot)) {
                batch.lend(slot, buf, this, bid);
                start = recvHeader;
            } else {
                // The caller chose this buffer: the datagram goes into it, the ring buffer back at once.
                MemorySegment.copy(buf, recvHeader, target, 0, len);
                buffers.publish(bid);
                republished = true;
                start = 0;
            }
            t.add(batch, slot, start, len, segment);
            slot++;
        }
        ring.cqAdvance(i);
        if (republished) {
            buffers.commit();
        }
        if (!armed && buffers.published() > 0) {
            arm();
        }
        t.finish(batch, counters);
        counters.add(IoCounter.URING_BAD_COMPLETIONS, bad);
        counters.add(IoCounter.URING_BUFFERS_EXHAUSTED, exhausted);
        if (fatal != 0) {
            if (batch.count == 0) {
                throw Errno.exception("io_uring recvmsg", fatal);
            }
            deferredError = fatal; // deliver what arrived first; report on the next call
        }
        return batch.count;
    }

    /** Buffers lent to a batch come back when it is cleared or closed: publish them again. */
    @Override
    public void giveBack(int[] bids, int count) {
        recvLock.lock();
        try {
            if (recvTornDown) {
                return; // the ring and its memory are gone
            }
            for (int i = 0; i < count; i++) {
                buffers.publish(bids[i]);
            }
            buffers.commit();
            if (!armed) {
                arm();
            }
        } catch (TransportException e) {
            // Not armed now; the next tryReceive arms again and reports a lasting failure.
            LOG.log(System.Logger.Level.DEBUG, "io_uring re-arm after buffer return failed: {0}", e.getMessage());
        } finally {
            recvLock.unlock();
        }
    }

    void wakeReceiver() {
        recvReady.signalBits(Readiness.READ); // the not-armed wait returns within 1 ms by itself
    }

    void awaitReadable() throws TransportException {
        if (!armed && !everArmed) {
            lifecycle.acquire("io_uring recvmsg");
            recvLock.lock();
            try {
                arm(); // first use: the request belongs to this (receiving) thread's task
            } finally {
                recvLock.unlock();
                lifecycle.release();
            }
        }
        if (!armed) {
            // No receive in flight (every buffer is lent out to batches not yet cleared): nothing
            // would signal us. Return after a short pause; the caller's next tryReceive re-arms.
            if (!lifecycle.isOpen()) {
                throw new SocketClosedException("io_uring recvmsg");
            }
            if (Thread.interrupted()) {
                throw new WaitInterruptedException("io_uring recvmsg"); // parkNanos would not wait
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            return;
        }
        if (EVENTFD_TOGGLE) {
            // Dekker with the kernel: we store "enabled", fence, then load the CQ tail; it stores
            // the tail, passes the smp_mb() in wq_has_sleeper(), then loads the flag. One of us
            // sees the other, so a completion is either seen here or signalled.
            recvRing.eventfdEnabled(true);
            VarHandle.fullFence();
            if (recvRing.cqReady() > 0) {
                return;
            }
        }
        recvReady.await(Readiness.READ, "io_uring recvmsg");
    }

    /**
     * Whether the receive eventfd is switched off while the receiver is busy. Measured here: the
     * poller's wake-ups for completions nobody waited for cost ~200 ns of process CPU per
     * datagram. Only from 6.6, where the kernel posts completions as "commit the tail,
     * io_cqring_wake() (whose wq_has_sleeper() is an smp_mb()), then io_commit_cqring_flush()
     * (which reads the flag)": the reorder "io_uring: reorder cqring_flush and wakeups", 2023.
     * Before it the flag was read with no barrier after the tail store, a wake-up could be
     * lost, so there the eventfd stays on.
     */
    static final boolean EVENTFD_TOGGLE = kernelAtLeast(System.getProperty("os.version", ""), 6, 6);

    static boolean kernelAtLeast(String version, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find()) {
            return false;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        return a > major || (a == major && b >= minor);
    }

    /** On close: no more waiting for receive completions. */
    void wakeWaiters(EpollPoller poller) {
        poller.deregister(recvReady);
        recvReady.close();
    }

    /**
     * Last one out. Order matters: unregister the buffer group first (after that the kernel can
     * no longer pick our buffers), then close the ring (the kernel cancels what is in flight),
     * then unmap the buffers; a batch still holding a lent buffer gives it back to nobody.
     */
    void tearDown(MemorySegment cs) {
        recvLock.lock();
        try {
            recvTornDown = true;
            armed = false;
            buffers.unregister(recvRing, cs);
            recvRing.close();
            buffers.close();
        } finally {
            recvLock.unlock();
        }
        LibC.close(cs, recvEventFd);
    }
}
