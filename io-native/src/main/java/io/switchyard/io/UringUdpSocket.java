package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.CMSG_U16;
import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROLLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static io.switchyard.io.linux.uring.UringStructs.RECVMSG_OUT;
import static io.switchyard.io.linux.uring.UringStructs.RO_CONTROLLEN;
import static io.switchyard.io.linux.uring.UringStructs.RO_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.RO_NAMELEN;

import io.switchyard.io.linux.EpollPoller;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import io.switchyard.io.linux.uring.BufferRing;
import io.switchyard.io.linux.uring.Ring;
import io.switchyard.io.linux.uring.Uring;
import io.switchyard.io.linux.uring.UringProbe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The io_uring transport ("linux-uring"): the same non-blocking UDP socket as
 * {@link LinuxUdpSocket}, driven through rings instead of {@code recvmmsg}/{@code sendmmsg}.
 *
 * <p><b>Rings: one per socket and direction.</b> A receive ring, a send ring and (with
 * {@code zeroCopy(true)}) a zerocopy ring. Per socket, because the {@link UdpSocket} contract
 * already gives each direction one thread at a time, so each ring has one producer and one
 * consumer and needs no lock on its hot path; per direction, because the receiver and the
 * sender run concurrently and must not consume each other's completions. Not per I/O thread:
 * callers are virtual threads that migrate between carriers, so a ring cannot belong to a
 * thread (nor use IORING_SETUP_SINGLE_ISSUER / DEFER_TASKRUN, which require that). The cost is
 * a few pages and three fds per socket, fine for a hub's few listen sockets, not for 100k
 * connected per-peer sockets.
 *
 * <p><b>Receive.</b> One multishot IORING_OP_RECVMSG, armed by the first receive call (so that
 * its receive work runs as task work of the receiving thread), stays armed on the socket with a
 * provided-buffer ring of {@value #RECV_BUFFERS} buffers of {@value #RECV_BUFFER_SIZE} bytes
 * ({@link BufferRing}); the kernel receives each datagram into the next buffer, writing
 * {@code io_uring_recvmsg_out}, the source address ({@value #RECV_NAME_SPACE} bytes reserved,
 * so the control messages after it stay 8-aligned), the control messages (GRO segment size,
 * SO_RXQ_OVFL) and the payload, and posts one completion naming the buffer.
 * {@link #tryReceive} reads up to a batch's capacity of completions and lends each buffer to a
 * batch slot (no copy: {@link RecvBatch#offset(int)} is past the header); the buffers go back
 * into the ring when the batch is next cleared ({@link #giveBack}). A slot holding a
 * caller-attached buffer gets the datagram copied in, and the ring buffer is recycled at once.
 * The kernel ends a multishot request when the ring runs empty (ENOBUFS: datagrams wait in the
 * socket queue, nothing is lost), on a zero-length datagram, or on an error; a completion
 * without IORING_CQE_F_MORE says so, and the request is re-armed (counted) as soon as the ring
 * has a buffer. A datagram longer than the slot it would go to is dropped and counted as
 * truncated, as on the other transports.
 *
 * <p><b>Send.</b> {@link #trySend} puts up to {@value #SEND_CHAIN} IORING_OP_SENDMSG entries,
 * pointing at the batch's prebuilt {@code msghdr}s, into one submission; the kernel issues them
 * in order. Not linked (see {@link #sendChains} for why and how a refused entry followed by a
 * sent one is handled, so the batch's "sent from the front" cursor stays exact). Each entry carries
 * MSG_DONTWAIT, which io_uring honours by completing with EAGAIN instead of arming a poll, so
 * every send completes inside the submitting {@code io_uring_enter} and nothing references the
 * batch after the call returns; a full buffer parks on the socket's EPOLLOUT like the epoll
 * transport. Trains are one SENDMSG with the UDP_SEGMENT cmsg, with the same EIO/EINVAL
 * downgrade.
 *
 * <p><b>Zerocopy.</b> {@link #trySendZeroCopy} is IORING_OP_SENDMSG_ZC with
 * IORING_SEND_ZC_REPORT_USAGE on the zerocopy ring. A successful send takes the next 32-bit id,
 * exactly as MSG_ZEROCOPY numbers them; its notification completion (IORING_CQE_F_NOTIF) is
 * reported by {@link #readErrorQueue} as an SO_EE_ORIGIN_ZEROCOPY record for that id, with code
 * SO_EE_CODE_ZEROCOPY_COPIED when the kernel says it copied. A failed send still gets a
 * notification (IORING_CQE_F_MORE on its completion); that one is swallowed, since no id was
 * taken. So the zerocopy module's tracker works unchanged.
 *
 * <p><b>Waiting.</b> Never in the kernel. The receive and zerocopy rings each have an eventfd
 * registered with IORING_REGISTER_EVENTFD and with the {@link EpollPoller}; a waiter parks on
 * its {@link Readiness} after seeing an empty completion queue. The send ring needs none: its
 * completions are inline.
 *
 * <p><b>Closing</b> uses the same use count as {@link LinuxUdpSocket}: the last call out tears
 * down; the buffer group is unregistered (synchronously) before its memory is unmapped.
 */
final class UringUdpSocket implements UdpSocket, RecvBatch.Lender {
    private static final System.Logger LOG = System.getLogger("io.switchyard.io");
    private static final int CLOSED = 1 << 30;

    /** Provided receive buffers per socket: several batches' worth, so the kernel keeps receiving while a batch is processed. */
    static final int RECV_BUFFERS = 256;
    /** 17 pages: the largest UDP payload (65,507) plus the header below, rounded to the page. */
    static final int RECV_BUFFER_SIZE = 69_632;
    static final int RECV_NAME_SPACE = 32;
    static final int RECV_CONTROL_SPACE = 64;
    /** Most sendmsg entries in one submission. */
    static final int SEND_CHAIN = 64;

    // user_data: the kind in the top byte; the rest is per kind (send index, or zerocopy seq + id).
    private static final long KIND_MASK = 0xffL << 56;
    private static final long RECV = 1L << 56;
    private static final long SEND = 2L << 56;
    private static final long ZC = 3L << 56;
    private static final MemorySegment ZEROS = Arena.global().allocate(SOCKADDR_STORAGE);

    private final int fd;
    private final boolean ipv6;
    private final boolean groOn;
    private final boolean rxqOn;
    private final boolean zeroCopyOn;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final IoCounters counters = new IoCounters();
    private final AtomicInteger useState = new AtomicInteger();
    private final EpollPoller poller;
    private final Readiness sockReady;
    private final GsoSwitch gso;
    private volatile int injectedGsoErrno;

    // ---- receive: guarded by recvLock (the receiving thread, and giveBack from whoever clears a batch)
    private final ReentrantLock recvLock = new ReentrantLock();
    private final Ring recvRing;
    private final BufferRing buffers;
    private final int recvEventFd;
    private final Readiness recvReady;
    private final MemorySegment recvMsg;
    private final MemorySegment recvState;
    private final int recvHeader;
    private final int controlSpace;
    /** The socket's own small structs (msghdr templates, call states); freed on tear-down. */
    private final Arena arena;
    private volatile boolean armed;
    private boolean everArmed;
    /** A receive error met while datagrams were being returned: thrown by the next call. */
    private int deferredError;
    private boolean recvTornDown;

    // ---- send: guarded by sendLock
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Ring sendRing;
    private final MemorySegment sendState;
    private final int[] sendResults = new int[SEND_CHAIN];
    private final boolean[] sendDone = new boolean[SEND_CHAIN];
    /** Times a send had to poll for its completions after io_uring_enter returned (expected 0). */
    volatile long lateCompletions;

    // ---- zerocopy: guarded by zcLock (the sender and the completion reader)
    private final ReentrantLock zcLock = new ReentrantLock();
    private final Ring zcRing;
    private final int zcEventFd;
    private final Readiness zcReady;
    private final MemorySegment zcState;
    private final MemorySegment zcMsg;
    private final MemorySegment zcControl;
    private volatile long zeroCopySends;
    private int zcSeq;
    /** Notifications read but not yet reported: id and copied flag, FIFO. Grows only if the reader lags. */
    private int[] pendingIds = new int[64];
    private boolean[] pendingCopied = new boolean[64];
    private int pendingHead;
    private int pendingCount;
    /** user_data of failed zerocopy sends whose notification is still to come (and to be swallowed). */
    private long[] swallow = new long[8];
    private int swallowCount;

    private UringUdpSocket(LinuxUdpSocket.Bound b, boolean zeroCopy, EpollPoller poller, Readiness sockReady,
                           Ring recvRing, BufferRing buffers, int recvEventFd, Readiness recvReady,
                           Ring sendRing, Ring zcRing, int zcEventFd, Readiness zcReady, Arena arena) {
        this.fd = b.fd();
        this.ipv6 = b.ipv6();
        this.groOn = b.gro();
        this.gso = new GsoSwitch(b.gso(), counters);
        this.zeroCopyOn = zeroCopy;
        this.local = b.local();
        this.remote = b.remote();
        this.poller = poller;
        this.sockReady = sockReady;
        this.recvRing = recvRing;
        this.buffers = buffers;
        this.recvEventFd = recvEventFd;
        this.recvReady = recvReady;
        this.sendRing = sendRing;
        this.zcRing = zcRing;
        this.zcEventFd = zcEventFd;
        this.zcReady = zcReady;
        this.arena = arena;
        this.rxqOn = b.rxq();
        boolean control = b.rxq() || b.gro();
        this.controlSpace = control ? RECV_CONTROL_SPACE : 0;
        this.recvHeader = (int) RECVMSG_OUT.byteSize() + RECV_NAME_SPACE + controlSpace;
        this.recvMsg = arena.allocate(MSGHDR);
        // The template multishot recvmsg copies at submission: name and control sizes reserve
        // room in every buffer; no iovec (iovlen 0: the whole provided buffer is used).
        MSG_NAMELEN.set(recvMsg, 0L, RECV_NAME_SPACE);
        MSG_CONTROLLEN.set(recvMsg, 0L, (long) controlSpace);
        this.recvState = LibC.newCallState(arena);
        this.sendState = LibC.newCallState(arena);
        this.zcState = LibC.newCallState(arena);
        this.zcMsg = arena.allocate(MSGHDR);
        this.zcControl = arena.allocate(CMSG_U16);
        ControlMessages.initUdpSegment(zcControl);
    }

    static UringUdpSocket open(UdpOptions o) throws TransportException {
        UringProbe.Result probe = UringProbe.probe();
        if (probe.unavailable() != null) {
            throw new TransportException("io_uring transport unavailable: " + probe.unavailable(), "open", "unavailable");
        }
        if (o.zeroCopy && !probe.sendZeroCopy()) {
            throw new TransportException("io_uring zerocopy unavailable: " + probe.zeroCopyReason(), "open", "unavailable");
        }
        // io_uring zerocopy sends need neither SO_ZEROCOPY nor IP_RECVERR: completions come as CQEs.
        LinuxUdpSocket.Bound b = LinuxUdpSocket.bind(o, false);
        Arena arena = Arena.ofShared();
        MemorySegment cs = LibC.newCallState(arena);
        MemorySegment cell = arena.allocate(Integer.BYTES);
        EpollPoller poller = EpollPoller.instance();
        // Acquired in order, released in reverse if a later step fails.
        AutoCloseable[] undo = new AutoCloseable[12];
        int u = 0;
        try {
            undo[u++] = () -> LibC.close(cs, b.fd());
            Readiness sockReady = poller.register(b.fd());
            undo[u++] = () -> poller.deregister(sockReady);
            Ring recvRing = Ring.open(4, 2 * RECV_BUFFERS);
            undo[u++] = recvRing;
            BufferRing buffers = new BufferRing(RECV_BUFFERS, RECV_BUFFER_SIZE, (short) 0);
            undo[u++] = buffers;
            buffers.register(recvRing, cs);
            undo[u++] = () -> buffers.unregister(recvRing, cs);
            int recvEfd = newEventFd(cs);
            undo[u++] = () -> LibC.close(cs, recvEfd);
            recvRing.registerEventfd(cs, cell, recvEfd);
            Readiness recvReady = poller.register(recvEfd);
            undo[u++] = () -> poller.deregister(recvReady);
            Ring sendRing = Ring.open(SEND_CHAIN, 2 * SEND_CHAIN);
            undo[u++] = sendRing;
            Ring zcRing = null;
            int zcEfd = -1;
            Readiness zcReady = null;
            if (o.zeroCopy) {
                Ring z = Ring.open(4, 1024);
                undo[u++] = z;
                int e = newEventFd(cs);
                undo[u++] = () -> LibC.close(cs, e);
                z.registerEventfd(cs, cell, e);
                Readiness r = poller.register(e);
                undo[u++] = () -> poller.deregister(r);
                zcRing = z;
                zcEfd = e;
                zcReady = r;
            }
            for (int i = 0; i < RECV_BUFFERS; i++) {
                buffers.publish(i);
            }
            buffers.commit();
            // Not armed here but by the first tryReceive: the kernel runs a multishot request's
            // receive work as task work of the thread that submitted it, so that should be the
            // receiving thread, not whichever thread opened the socket (measured: an opener
            // asleep elsewhere costs an extra thread wake-up per burst).
            return new UringUdpSocket(b, o.zeroCopy, poller, sockReady, recvRing, buffers, recvEfd,
                    recvReady, sendRing, zcRing, zcEfd, zcReady, arena);
        } catch (TransportException | RuntimeException e) {
            for (int i = u - 1; i >= 0; i--) {
                try {
                    undo[i].close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            arena.close(); // last: the steps above use its call state
            throw e;
        }
    }

    private static int newEventFd(MemorySegment cs) throws TransportException {
        int e = LibC.eventfd(cs, 0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        if (e < 0) {
            throw Errno.exception("eventfd", -e);
        }
        return e;
    }

    @Override
    public String transportName() {
        return "linux-uring";
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public boolean gsoEnabled() {
        return gso.on();
    }

    @Override
    public boolean groEnabled() {
        return groOn;
    }

    @Override
    public IoCounters counters() {
        return counters;
    }

    @Override
    public boolean isOpen() {
        return useState.get() < CLOSED;
    }

    // ------------------------------------------------------------------ receive

    /** Submits the multishot recvmsg (recvLock held). */
    private void arm() throws TransportException {
        if (recvRing.unsubmitted() == 0) {
            if (recvRing.sqSpace() == 0) {
                return; // cannot happen with one request in flight; the next call retries
            }
            recvRing.prep(Uring.IORING_OP_RECVMSG, Uring.IOSQE_BUFFER_SELECT, Uring.IORING_RECV_MULTISHOT, fd,
                    recvMsg.address(), 0, 0, RECV, buffers.groupId());
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

    @Override
    public int tryReceive(RecvBatch batch) throws TransportException {
        // Outside our lock: clearing may give buffers back to this socket or to another one, and
        // taking two sockets' locks in opposite orders could deadlock.
        batch.clear();
        acquire("io_uring recvmsg");
        recvLock.lock();
        try {
            return collect(batch);
        } finally {
            recvLock.unlock();
            release();
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
        int truncated = 0;
        int coalesced = 0;
        long groSegments = 0;
        int errors = 0;
        int bad = 0;
        int exhausted = 0;
        int fatal = 0;
        long kernelDrops = -1;
        boolean republished = false;
        int i = 0;
        for (; i < ready && slot < capacity; i++) {
            long ud = ring.cqeUserData(i);
            int res = ring.cqeRes(i);
            int flags = ring.cqeFlags(i);
            if ((ud & KIND_MASK) != RECV) {
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
                    errors++; // a queued ICMP error (e.g. ECONNREFUSED on a connected socket)
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
                truncated++; // longer than a ring buffer: cannot happen below 64 KiB, counted anyway
                buffers.publish(bid);
                republished = true;
                continue;
            }
            int segment = 0;
            if (controlSpace > 0) {
                long clen = Math.min(Integer.toUnsignedLong((int) RO_CONTROLLEN.get(buf, 0L)), controlSpace);
                long base = RECVMSG_OUT.byteSize() + RECV_NAME_SPACE;
                if (groOn) {
                    segment = ControlMessages.groSegment(buf, base, clen);
                }
                if (rxqOn) {
                    long drops = ControlMessages.rxqOverflow(buf, base, clen);
                    if (drops >= 0) {
                        kernelDrops = drops;
                    }
                }
            }
            MemorySegment target = batch.slots[slot];
            if (len > target.byteSize()) {
                truncated++; // the same rule as recvmmsg: the datagram must fit the slot
                buffers.publish(bid);
                republished = true;
                continue;
            }
            if (segment > 0 && len > segment && (len + segment - 1) / segment > Linux.GSO_MAX_SEGMENTS) {
                bad++; // more segments than the kernel ever coalesces: do not trust the cmsg
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
            int segments = batch.addReceived(slot, start, len, segment);
            if (segments > 0) {
                coalesced++;
                groSegments += segments;
            }
            slot++;
        }
        ring.cqAdvance(i);
        if (republished) {
            buffers.commit();
        }
        if (!armed && buffers.published() > 0) {
            arm();
        }
        if (batch.count > 0) {
            counters.add(IoCounter.RECEIVE_CALLS, 1);
            counters.add(IoCounter.DATAGRAMS_RECEIVED, batch.count);
        }
        counters.add(IoCounter.TRUNCATED, truncated);
        batch.truncated = truncated;
        counters.add(IoCounter.GRO_COALESCED, coalesced);
        counters.add(IoCounter.GRO_SEGMENTS, groSegments);
        counters.add(IoCounter.RECEIVE_ERRORS, errors);
        counters.add(IoCounter.URING_BAD_COMPLETIONS, bad);
        counters.add(IoCounter.URING_BUFFERS_EXHAUSTED, exhausted);
        if (kernelDrops >= 0) {
            counters.max(IoCounter.KERNEL_DROPS, kernelDrops);
        }
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

    @Override
    public void wakeReceiver() {
        recvReady.signalBits(Readiness.READ); // the not-armed wait returns within 1 ms by itself
    }

    @Override
    public void awaitReadable() throws TransportException {
        if (!armed && !everArmed) {
            acquire("io_uring recvmsg");
            recvLock.lock();
            try {
                arm(); // first use: the request belongs to this (receiving) thread's task
            } finally {
                recvLock.unlock();
                release();
            }
        }
        if (!armed) {
            // No receive in flight (every buffer is lent out to batches not yet cleared): nothing
            // would signal us. Return after a short pause; the caller's next tryReceive re-arms.
            if (!isOpen()) {
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

    @Override
    public void awaitWritable() throws TransportException {
        sockReady.await(Readiness.WRITE, "io_uring sendmsg");
    }

    // ------------------------------------------------------------------ send

    @Override
    public int trySend(SendBatch batch) throws TransportException {
        if (batch.sent == batch.size) {
            return 0;
        }
        if (ipv6) {
            batch.mapToIpv6(batch.sent, batch.size);
        }
        acquire("io_uring sendmsg");
        sendLock.lock();
        try {
            return sendChains(batch);
        } finally {
            sendLock.unlock();
            release();
        }
    }

    /**
     * Submissions of up to {@value #SEND_CHAIN} independent sendmsg entries from the batch's
     * cursor until it is done or the kernel says EAGAIN.
     *
     * <p>Why not linked: IOSQE_IO_LINK would keep the order and stop at the first failure, but
     * the kernel then issues each entry after the first as task work, one at a time, and that
     * measured 0.7-0.97x of sendmmsg here; unlinked entries are issued in one loop inside
     * {@code io_uring_enter}, in order, and measured 1.14-1.24x (docs/perf-uring.md). The price:
     * when the send buffer fills mid-submission and frees again before a later entry, that
     * later entry goes out while an earlier one got EAGAIN, a hole the batch's front cursor
     * cannot express. Holes are rare (the buffer must drain within one submission) and are
     * closed at once: each refused datagram before the last one sent is resent by itself,
     * parking for writability if it must (the one case where a {@code try} call waits), and
     * counted as reordered ({@link IoCounter#URING_SEND_REORDERED}).
     */
    private int sendChains(SendBatch batch) throws TransportException {
        int consumed = 0;
        int sent = 0;
        int calls = 0;
        int dropped = 0;
        boolean retriedRefused = false;
        long msgs = batch.msgs.address() + MMSG_HDR_OFFSET;
        int stalls = 0;
        try {
            while (batch.sent < batch.size) {
                int first = batch.sent;
                int n = Math.min(batch.size - first, Math.min(SEND_CHAIN, sendRing.sqSpace()));
                if (n == 0) {
                    throw new TransportException("io_uring send ring has no free entry", "io_uring sendmsg", "full");
                }
                for (int k = 0; k < n; k++) {
                    sendRing.prep(Uring.IORING_OP_SENDMSG, (byte) 0, (short) 0, fd,
                            msgs + MMSGHDR.byteSize() * (first + k), 0, Linux.MSG_DONTWAIT, SEND | k, (short) 0);
                }
                submitAll(sendRing, sendState, "io_uring_enter(SENDMSG)");
                awaitSendResults(n);
                // Classify: done (sent, or dropped for a per-datagram reason) or refused for now.
                int lastDone = -1;
                boolean again = false;
                int fatal = 0;
                for (int k = 0; k < n; k++) {
                    int r = sendResults[k];
                    int e = -r;
                    if (r >= 0) {
                        sent++;
                        lastDone = k;
                    } else if (e == Errno.ECONNREFUSED && !retriedRefused) {
                        // An earlier datagram's ICMP error, reported on this one, which was not sent.
                        retriedRefused = true;
                        counters.add(IoCounter.RECEIVE_ERRORS, 1);
                    } else if (Errno.isPerDatagram(e)) {
                        batch.refuse(first + k, e);
                        dropped++;
                        lastDone = k;
                        sendResults[k] = 0; // done: not to be resent
                    } else if (e == Errno.EAGAIN) {
                        again = true;
                    } else if (e != Errno.EINTR && fatal == 0) {
                        fatal = e;
                    }
                }
                if (lastDone >= 0) {
                    calls++;
                    stalls = 0;
                }
                for (int k = 0; k < lastDone; k++) {
                    if (sendResults[k] < 0) {
                        int refusedWith = resendHole(msgs + MMSGHDR.byteSize() * (first + k));
                        if (refusedWith == 0) {
                            sent++;
                        } else {
                            batch.refuse(first + k, refusedWith);
                            dropped++;
                        }
                    }
                }
                batch.sent = first + lastDone + 1;
                consumed += lastDone + 1;
                if (fatal != 0) {
                    throw Errno.exception("io_uring sendmsg", fatal);
                }
                if (lastDone == n - 1) {
                    continue;
                }
                if (again) {
                    break; // buffer full: the caller waits for writability
                }
                if (lastDone < 0 && ++stalls > 3) {
                    throw Errno.exception("io_uring sendmsg", Errno.EINTR);
                }
            }
        } finally {
            counters.add(IoCounter.SEND_CALLS, calls);
            counters.add(IoCounter.DATAGRAMS_SENT, sent);
            counters.add(IoCounter.SEND_DROPPED, dropped);
        }
        return consumed;
    }

    /** Sends one refused datagram of a hole by itself, waiting for space if it must; 0, or the errno it was refused with. */
    private int resendHole(long msghdr) throws TransportException {
        counters.add(IoCounter.URING_SEND_REORDERED, 1);
        for (int attempt = 0; ; attempt++) {
            sendRing.prep(Uring.IORING_OP_SENDMSG, (byte) 0, (short) 0, fd, msghdr, 0, Linux.MSG_DONTWAIT, SEND, (short) 0);
            submitAll(sendRing, sendState, "io_uring_enter(SENDMSG)");
            awaitSendResults(1);
            int e = -sendResults[0];
            if (sendResults[0] >= 0) {
                return 0;
            }
            if (Errno.isPerDatagram(e)) {
                return e;
            }
            if (e == Errno.EAGAIN) {
                sockReady.await(Readiness.WRITE, "io_uring sendmsg");
            } else if (e != Errno.EINTR || attempt > 3) {
                throw Errno.exception("io_uring sendmsg", e);
            }
        }
    }

    private static void submitAll(Ring ring, MemorySegment cs, String call) throws TransportException {
        int idle = 0;
        while (ring.unsubmitted() > 0) {
            int r = ring.submit(cs);
            if (r <= 0 && ++idle > 10_000) {
                throw new TransportException(call + ": the kernel took no entries", call, "stuck");
            }
            if (r < 0) {
                int e = -r;
                if (e == Errno.EAGAIN || e == Errno.EBUSY) {
                    // Kernel short of memory or CQ backlog: let it breathe, then go on. Bounded
                    // by the completions we are about to reap.
                    ring.flush(cs);
                    Thread.onSpinWait();
                    continue;
                }
                throw Errno.exception(call, e);
            }
        }
    }

    /**
     * Reads the {@code n} completions of the entries just submitted into {@link #sendResults}.
     * With MSG_DONTWAIT each entry completes while {@code io_uring_enter} issues it, so all are
     * there when it returns (counted in {@link #lateCompletions} when not, which the tests
     * expect to stay 0); if some are missing, poll with short parks (never a wait inside the
     * kernel) for up to 10 s.
     */
    private void awaitSendResults(int n) throws TransportException {
        Arrays.fill(sendDone, 0, n, false);
        int got = 0;
        long deadline = 0;
        while (got < n) {
            int ready = sendRing.cqReady();
            for (int i = 0; i < ready; i++) {
                long ud = sendRing.cqeUserData(i);
                int k = (int) (ud & 0xffff);
                if ((ud & KIND_MASK) != SEND || k >= n || sendDone[k]) {
                    counters.add(IoCounter.URING_BAD_COMPLETIONS, 1);
                    continue;
                }
                sendResults[k] = sendRing.cqeRes(i);
                sendDone[k] = true;
                got++;
            }
            sendRing.cqAdvance(ready);
            if (got < n) {
                if (deadline == 0) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    lateCompletions++;
                } else if (System.nanoTime() > deadline) {
                    throw new TransportException("io_uring sendmsg: " + (n - got) + " completions missing after 10 s",
                            "io_uring sendmsg", "timeout");
                }
                sendRing.flush(sendState);
                if (sendRing.cqReady() == 0) {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
        }
    }

    @Override
    public int trySendTrain(SendBatch batch) throws TransportException {
        int start = batch.sent;
        int n = batch.size - start;
        if (n == 0) {
            return 0;
        }
        batch.checkTrain(start, n);
        if (!gso.on() || n == 1) {
            return trySend(batch);
        }
        long r = sendTrainOnce(batch, start, n);
        if (r == -Errno.ECONNREFUSED) {
            counters.add(IoCounter.RECEIVE_ERRORS, 1);
            r = sendTrainOnce(batch, start, n);
        }
        if (r >= 0) {
            return n;
        }
        return gso.trainFailed(batch, start, n, (int) -r, local, transportName(), "io_uring sendmsg(UDP_SEGMENT)", this::trySend);
    }

    /** Fills {@code msg} for datagrams [start, start+n) as one sendmsg (a GSO train when n > 1). */
    private void trainHeader(SendBatch batch, int start, int n, MemorySegment msg, MemorySegment control) {
        if (ipv6) {
            batch.mapToIpv6(start, start + n);
        }
        batch.fillMsg(start, n, msg, control);
    }

    /** One SENDMSG of a train on the send ring; marks it sent and counts on success. Bytes or -errno. */
    private long sendTrainOnce(SendBatch batch, int start, int n) throws TransportException {
        acquire("io_uring sendmsg");
        sendLock.lock();
        try {
            int injected = injectedGsoErrno;
            int r;
            if (injected != 0) {
                injectedGsoErrno = 0;
                r = -injected;
            } else {
                trainHeader(batch, start, n, batch.trainMsg, batch.trainControl);
                sendRing.prep(Uring.IORING_OP_SENDMSG, (byte) 0, (short) 0, fd, batch.trainMsg.address(), 0,
                        Linux.MSG_DONTWAIT, SEND, (short) 0);
                submitAll(sendRing, sendState, "io_uring_enter(SENDMSG)");
                awaitSendResults(1);
                r = sendResults[0];
            }
            if (r >= 0) {
                batch.sent = start + n;
                counters.add(IoCounter.SEND_CALLS, 1);
                counters.add(IoCounter.GSO_TRAINS, 1);
                counters.add(IoCounter.GSO_SEGMENTS, n);
                counters.add(IoCounter.DATAGRAMS_SENT, n);
            }
            return r;
        } finally {
            sendLock.unlock();
            release();
        }
    }

    /** Test seam: the next GSO train fails with {@code errno} without reaching the kernel. */
    void injectGsoFailure(int errno) {
        injectedGsoErrno = errno;
    }

    // ------------------------------------------------------------------ zerocopy

    @Override
    public int trySendZeroCopy(SendBatch batch) throws TransportException {
        if (!zeroCopyOn) {
            throw new IllegalStateException("socket was not opened with zeroCopy(true)");
        }
        int start = batch.sent;
        int n = batch.size - start;
        if (n == 0) {
            return 0;
        }
        batch.checkTrain(start, n);
        if (n > 1 && !gso.on()) {
            return trySend(batch); // by copy: no completion id is taken
        }
        boolean retriedRefused = false;
        while (true) {
            int r = sendZeroCopyOnce(batch, start, n);
            if (r >= 0) {
                return n;
            }
            int e = -r;
            if (e == Errno.ENOBUFS || e == Errno.ENOMEM) {
                counters.add(IoCounter.ZEROCOPY_NOBUFS, 1);
                return ZEROCOPY_NOBUFS;
            }
            if (e == Errno.ECONNREFUSED && !retriedRefused) {
                retriedRefused = true;
                counters.add(IoCounter.RECEIVE_ERRORS, 1);
                continue;
            }
            return n > 1 ? gso.trainFailed(batch, start, n, e, local, transportName(), "io_uring sendmsg_zc", this::trySend)
                    : gso.singleFailed(batch, start, e, "io_uring sendmsg_zc");
        }
    }

    /** One SENDMSG_ZC; on success takes the next id. Returns 0 or -errno. */
    private int sendZeroCopyOnce(SendBatch batch, int start, int n) throws TransportException {
        acquire("io_uring sendmsg_zc");
        zcLock.lock();
        try {
            trainHeader(batch, start, n, zcMsg, zcControl);
            long id = zeroCopySends & 0xffff_ffffL;
            // A sequence number besides the id keeps a failed attempt's late notification apart
            // from the next attempt, which reuses the id.
            long ud = ZC | ((long) (zcSeq++ & 0xff_ffff) << 32) | id;
            zcRing.prep(Uring.IORING_OP_SENDMSG_ZC, (byte) 0, Uring.IORING_SEND_ZC_REPORT_USAGE, fd, zcMsg.address(),
                    0, Linux.MSG_DONTWAIT, ud, (short) 0);
            submitAll(zcRing, zcState, "io_uring_enter(SENDMSG_ZC)");
            long deadline = 0;
            while (true) {
                int ready = zcRing.cqReady();
                for (int i = 0; i < ready; i++) {
                    long cud = zcRing.cqeUserData(i);
                    int res = zcRing.cqeRes(i);
                    int flags = zcRing.cqeFlags(i);
                    if ((flags & Uring.IORING_CQE_F_NOTIF) != 0) {
                        notification(cud, res);
                        continue;
                    }
                    if (cud != ud) {
                        counters.add(IoCounter.URING_BAD_COMPLETIONS, 1);
                        continue;
                    }
                    zcRing.cqAdvance(i + 1);
                    // Consume the rest later (readErrorQueue); they are notifications.
                    if (res >= 0) {
                        zeroCopySends = zeroCopySends + 1;
                        batch.sent = start + n;
                        counters.add(IoCounter.SEND_CALLS, 1);
                        if (n > 1) {
                            counters.add(IoCounter.GSO_TRAINS, 1);
                            counters.add(IoCounter.GSO_SEGMENTS, n);
                        }
                        counters.add(IoCounter.DATAGRAMS_SENT, n);
                        if ((flags & Uring.IORING_CQE_F_MORE) == 0) {
                            // No notification will come: the kernel is done with the buffers now.
                            queueCompletion((int) id, false);
                        }
                        return 0;
                    }
                    if ((flags & Uring.IORING_CQE_F_MORE) != 0) {
                        swallowLater(ud);
                    }
                    return res;
                }
                zcRing.cqAdvance(ready);
                if (deadline == 0) {
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    lateCompletions++;
                } else if (System.nanoTime() > deadline) {
                    throw new TransportException("io_uring sendmsg_zc: completion missing after 10 s",
                            "io_uring sendmsg_zc", "timeout");
                }
                zcRing.flush(zcState);
                if (zcRing.cqReady() == 0) {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
        } finally {
            zcLock.unlock();
            release();
        }
    }

    /** A notification CQE (zcLock held): queue its id, or swallow it if its send failed. */
    private void notification(long ud, int res) {
        if ((ud & KIND_MASK) != ZC) {
            counters.add(IoCounter.URING_BAD_COMPLETIONS, 1);
            return;
        }
        for (int i = 0; i < swallowCount; i++) {
            if (swallow[i] == ud) {
                swallow[i] = swallow[--swallowCount];
                return;
            }
        }
        queueCompletion((int) ud, (res & Uring.IORING_NOTIF_USAGE_ZC_COPIED) != 0);
    }

    private void swallowLater(long ud) {
        if (swallowCount == swallow.length) {
            swallow = Arrays.copyOf(swallow, swallowCount * 2);
        }
        swallow[swallowCount++] = ud;
    }

    private void queueCompletion(int id, boolean copied) {
        if (pendingCount == pendingIds.length) {
            // The reader lags: grow (amortised; the tracker bounds outstanding sends anyway).
            int[] ids = new int[pendingIds.length * 2];
            boolean[] cp = new boolean[ids.length];
            for (int i = 0; i < pendingCount; i++) {
                int j = (pendingHead + i) % pendingIds.length;
                ids[i] = pendingIds[j];
                cp[i] = pendingCopied[j];
            }
            pendingIds = ids;
            pendingCopied = cp;
            pendingHead = 0;
        }
        int j = (pendingHead + pendingCount) % pendingIds.length;
        pendingIds[j] = id;
        pendingCopied[j] = copied;
        pendingCount++;
    }

    private void popPending() {
        pendingHead = (pendingHead + 1) % pendingIds.length;
        pendingCount--;
    }

    @Override
    public long zeroCopySends() {
        return zeroCopySends;
    }

    /**
     * Reports the zerocopy notifications as error-queue records: origin SO_EE_ORIGIN_ZEROCOPY,
     * errno 0, {@code [info, data]} a range of consecutive ids with the same code (1 = COPIED).
     */
    @Override
    public int readErrorQueue(ErrorQueueSink sink) throws TransportException {
        if (!zeroCopyOn) {
            return 0;
        }
        int records = 0;
        acquire("io_uring sendmsg_zc notifications");
        zcLock.lock();
        try {
            if (zcRing.overflowPending()) {
                zcRing.flush(zcState);
            }
            int ready = zcRing.cqReady();
            for (int i = 0; i < ready; i++) {
                if ((zcRing.cqeFlags(i) & Uring.IORING_CQE_F_NOTIF) != 0) {
                    notification(zcRing.cqeUserData(i), zcRing.cqeRes(i));
                } else {
                    counters.add(IoCounter.URING_BAD_COMPLETIONS, 1); // a send result nobody waits for
                }
            }
            zcRing.cqAdvance(ready);
            while (pendingCount > 0) {
                // One record per run of consecutive ids with the same code, as the kernel merges them.
                int first = pendingIds[pendingHead];
                boolean copied = pendingCopied[pendingHead];
                int last = first;
                popPending();
                while (pendingCount > 0 && pendingIds[pendingHead] == last + 1 && pendingCopied[pendingHead] == copied) {
                    last++;
                    popPending();
                }
                sink.onRecord(Linux.SO_EE_ORIGIN_ZEROCOPY, 0, copied ? Linux.SO_EE_CODE_ZEROCOPY_COPIED : 0, first, last);
                records++;
            }
        } finally {
            zcLock.unlock();
            release();
            counters.add(IoCounter.ZEROCOPY_COMPLETIONS, records);
        }
        return records;
    }

    @Override
    public void awaitErrorQueue() throws TransportException {
        if (!zeroCopyOn) {
            throw new IllegalStateException("socket was not opened with zeroCopy(true)");
        }
        zcLock.lock();
        boolean ready;
        try {
            ready = pendingCount > 0 || zcRing.cqReady() > 0;
        } finally {
            zcLock.unlock();
        }
        if (!ready) {
            // Any notification posted after the check above signals the eventfd: no lost wake-up.
            zcReady.await(Readiness.READ, "io_uring sendmsg_zc notifications");
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private void acquire(String call) throws SocketClosedException {
        while (true) {
            int s = useState.get();
            if (s >= CLOSED) {
                throw new SocketClosedException(call);
            }
            if (useState.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    private void release() {
        if (useState.decrementAndGet() == CLOSED) {
            tearDown();
        }
    }

    @Override
    public void close() {
        int s;
        do {
            s = useState.get();
            if (s >= CLOSED) {
                return;
            }
        } while (!useState.compareAndSet(s, s | CLOSED));
        poller.deregister(sockReady);
        poller.deregister(recvReady);
        sockReady.close();
        recvReady.close();
        if (zcReady != null) {
            poller.deregister(zcReady);
            zcReady.close();
        }
        if (s == 0) {
            tearDown();
        }
    }

    /**
     * Last one out. Order matters: unregister the buffer group first (after that the kernel can
     * no longer pick our buffers), then close the rings (the kernel cancels what is in flight),
     * then unmap the buffers, then close the fds.
     */
    private void tearDown() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
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
            sendLock.lock();
            try {
                sendRing.close();
            } finally {
                sendLock.unlock();
            }
            if (zcRing != null) {
                zcLock.lock();
                try {
                    zcRing.close();
                } finally {
                    zcLock.unlock();
                }
                LibC.close(cs, zcEventFd);
            }
            LibC.close(cs, recvEventFd);
            LibC.close(cs, fd);
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "UringUdpSocket[fd=" + fd + ", local=" + local + (remote != null ? ", remote=" + remote : "") + "]";
    }
}
