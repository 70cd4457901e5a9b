package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MMSG_LEN;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROL;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROLLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_FLAGS;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.EpollPoller;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The Linux transport ("linux-native"): a non-blocking UDP socket driven through FFM with
 * epoll readiness; what it shares with the io_uring transport is in {@link AbstractLinuxUdpSocket}.
 *
 * <p>Receive: one {@code recvmmsg(MSG_DONTWAIT)} fills up to a batch of slots; each slot's
 * control messages give the GRO segment size (a coalesced train is split back into datagrams, the
 * last may be short) and the kernel's cumulative drop count (SO_RXQ_OVFL). Truncated datagrams
 * (MSG_TRUNC) are dropped and counted. Send: one {@code sendmmsg}, or for a train one
 * {@code sendmsg} with a {@code UDP_SEGMENT} cmsg; a train the kernel refuses is handled as
 * {@link GsoSwitch} says (EIO/EINVAL: GSO off and resent; EMSGSIZE: resent singly). A datagram
 * refused on its own (too big, unreachable, denied) is recorded in the batch and skipped.
 *
 * <p>Waiting: EAGAIN parks the caller on its {@link Readiness}; the {@link EpollPoller} platform
 * thread unparks it. Closing: {@link FdLifecycle}.
 */
final class LinuxUdpSocket extends AbstractLinuxUdpSocket {
    private final Readiness readiness;
    private final EpollPoller poller;
    /** Control messages are asked for (and walked) only when there is one to read. */
    private final boolean wantControl;
    /** The receiving thread's per-call tally. */
    private final ReceiveTally tally;
    /** Written only by the sending thread. */
    private volatile long zeroCopySends;
    // Error-queue read state: one reader at a time (the zerocopy completion tracker).
    private final MemorySegment errMsg;
    private final MemorySegment errControl;
    private final MemorySegment errState;
    private static final long ERR_CONTROL_SPACE = 128;

    private LinuxUdpSocket(BoundSocket b, boolean zeroCopy, EpollPoller poller, Readiness readiness) {
        super("linux-native", b, zeroCopy, "sendmsg(UDP_SEGMENT)", "sendmsg(MSG_ZEROCOPY)");
        this.poller = poller;
        this.readiness = readiness;
        this.wantControl = b.rxq() || b.gro();
        this.tally = new ReceiveTally(b.gro(), b.rxq());
        if (zeroCopy) {
            Arena a = Arena.ofAuto();
            errMsg = a.allocate(MSGHDR);
            errControl = a.allocate(ERR_CONTROL_SPACE, 8);
            errState = LibC.newCallState(a);
        } else {
            errMsg = errControl = errState = null;
        }
    }

    static LinuxUdpSocket open(UdpOptions o) throws TransportException {
        BoundSocket b = BoundSocket.open(o, o.zeroCopy);
        try (Arena a = Arena.ofConfined()) {
            try {
                EpollPoller poller = EpollPoller.instance();
                Readiness readiness = poller.register(b.fd());
                return new LinuxUdpSocket(b, o.zeroCopy, poller, readiness);
            } catch (TransportException | RuntimeException e) {
                LibC.close(LibC.newCallState(a), b.fd());
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ receive

    @Override
    public int tryReceive(RecvBatch batch) throws TransportException {
        batch.clear();
        MemorySegment msgs = batch.msgs;
        int vlen = batch.limit;
        long controlLen = wantControl ? RecvBatch.CONTROL_SPACE : 0;
        for (int i = 0; i < vlen; i++) {
            // In-out fields: the kernel overwrote them last time.
            long m = MMSGHDR.byteSize() * i + MMSG_HDR_OFFSET;
            MSG_NAMELEN.set(msgs, m, (int) SOCKADDR_STORAGE);
            MSG_CONTROLLEN.set(msgs, m, controlLen);
            MSG_FLAGS.set(msgs, m, 0);
        }
        acquire("recvmmsg");
        try {
            while (true) {
                int n = LibC.recvmmsg(batch.callState, fd, msgs.address(), vlen, Linux.MSG_DONTWAIT);
                if (n > 0) {
                    collect(batch, n);
                    return batch.count;
                }
                int e = -n;
                if (n == 0 || e == Errno.EAGAIN) {
                    return 0;
                }
                if (e == Errno.EINTR) {
                    continue;
                }
                if (Errno.isPerDatagram(e)) {
                    // A queued ICMP error (e.g. ECONNREFUSED on a connected socket): reported
                    // once, consumed by this call; the datagrams behind it are still there.
                    counters.add(IoCounter.RECEIVE_ERRORS, 1);
                    continue;
                }
                throw Errno.exception("recvmmsg", e);
            }
        } finally {
            release();
        }
    }

    private void collect(RecvBatch batch, int n) {
        MemorySegment msgs = batch.msgs;
        // In a local: read from the batch on every slot, it cost ~0.5 ns a slot (C2 reloads it).
        MemorySegment controls = batch.controls;
        ReceiveTally t = tally;
        t.start();
        for (int k = 0; k < n; k++) {
            long m = MMSGHDR.byteSize() * k;
            int len = (int) MMSG_LEN.get(msgs, m);
            int flags = (int) MSG_FLAGS.get(msgs, m + MMSG_HDR_OFFSET);
            int segment = wantControl ? t.control(controls, RecvBatch.CONTROL_SPACE * k,
                    (long) MSG_CONTROLLEN.get(msgs, m + MMSG_HDR_OFFSET)) : 0;
            if ((flags & Linux.MSG_TRUNC) != 0) {
                t.truncated++;
                continue;
            }
            t.add(batch, k, 0, len, segment);
        }
        t.finish(batch, counters);
    }

    @Override
    public void wakeReceiver() {
        readiness.signalBits(Readiness.READ);
    }

    @Override
    public void awaitReadable() throws TransportException {
        readiness.await(Readiness.READ, "recvmmsg");
    }

    @Override
    public void awaitWritable() throws TransportException {
        readiness.await(Readiness.WRITE, "sendmmsg");
    }

    // ------------------------------------------------------------------ send

    @Override
    public int trySend(SendBatch batch) throws TransportException {
        int start = batch.sent;
        if (start == batch.size) {
            return 0;
        }
        prepareDestinations(batch, start, batch.size);
        acquire("sendmmsg");
        boolean retriedRefused = false;
        int consumed = 0;
        int sent = 0;
        int calls = 0;
        try {
            while (batch.sent < batch.size) {
                int i = batch.sent;
                int r = LibC.sendmmsg(batch.callState, fd, batch.msgs.address() + MMSGHDR.byteSize() * i,
                        batch.size - i, Linux.MSG_DONTWAIT);
                if (r > 0) {
                    batch.sent = i + r;
                    consumed += r;
                    sent += r;
                    calls++;
                    continue;
                }
                int e = -r;
                if (r == 0 || e == Errno.EAGAIN) {
                    break;
                }
                if (e == Errno.EINTR) {
                    continue;
                }
                if (e == Errno.ECONNREFUSED && !retriedRefused) {
                    // The error belongs to an earlier datagram (an ICMP reply); this one was not sent.
                    retriedRefused = true;
                    counters.add(IoCounter.RECEIVE_ERRORS, 1);
                    continue;
                }
                if (Errno.isPerDatagram(e)) {
                    batch.refuse(i, e);
                    batch.sent = i + 1;
                    consumed++;
                    counters.add(IoCounter.SEND_DROPPED, 1);
                    continue;
                }
                throw Errno.exception("sendmmsg", e);
            }
        } finally {
            release();
            counters.add(IoCounter.SEND_CALLS, calls);
            counters.add(IoCounter.DATAGRAMS_SENT, sent);
        }
        return consumed;
    }

    @Override
    long sendTrain(SendBatch batch, int start, int n) throws SocketClosedException {
        return sendOne(batch, start, n, 0);
    }

    /**
     * One {@code sendmsg} of datagrams [start, start+n) as a GSO train (n > 1) or a single
     * datagram; on success marks them sent and counts. Returns the byte count or -errno.
     */
    private long sendOne(SendBatch batch, int start, int n, int flags) throws SocketClosedException {
        prepareDestinations(batch, start, batch.size);
        MemorySegment msg = batch.trainMsg;
        batch.fillMsg(start, n, msg, batch.trainControl);
        acquire("sendmsg");
        try {
            while (true) {
                int injected = n > 1 ? takeInjectedGsoErrno() : 0;
                long r;
                if (injected != 0) {
                    r = -injected;
                } else {
                    r = LibC.sendmsg(batch.callState, fd, msg.address(), Linux.MSG_DONTWAIT | flags);
                }
                if (r >= 0) {
                    batch.sent = start + n;
                    counters.sentInOneMessage(n);
                    return r;
                }
                if (r != -Errno.EINTR) {
                    return r;
                }
            }
        } finally {
            release();
        }
    }

    @Override
    int sendZeroCopy(SendBatch batch, int start, int n) throws SocketClosedException {
        long r = sendOne(batch, start, n, Linux.MSG_ZEROCOPY);
        if (r >= 0) {
            zeroCopySends = zeroCopySends + 1;
            return 0;
        }
        return (int) -r;
    }

    @Override
    public long zeroCopySends() {
        return zeroCopySends;
    }

    @Override
    public int readErrorQueue(ErrorQueueSink sink) throws TransportException {
        if (!zeroCopyOn) {
            return 0;
        }
        int records = 0;
        acquire("recvmsg(MSG_ERRQUEUE)");
        try {
            while (true) {
                errMsg.fill((byte) 0);
                MSG_CONTROL.set(errMsg, 0L, errControl.address());
                MSG_CONTROLLEN.set(errMsg, 0L, ERR_CONTROL_SPACE);
                long r = LibC.recvmsg(errState, fd, errMsg.address(), Linux.MSG_ERRQUEUE | Linux.MSG_DONTWAIT);
                if (r < 0) {
                    int e = (int) -r;
                    if (e == Errno.EINTR) {
                        continue;
                    }
                    if (e == Errno.EAGAIN) {
                        break;
                    }
                    throw Errno.exception("recvmsg(MSG_ERRQUEUE)", e);
                }
                records += ControlMessages.extendedErrors(errControl, (long) MSG_CONTROLLEN.get(errMsg, 0L), sink, counters);
            }
        } finally {
            release();
        }
        return records;
    }

    @Override
    public void awaitErrorQueue() throws TransportException {
        readiness.await(Readiness.ERROR, "recvmsg(MSG_ERRQUEUE)");
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    void wakeWaiters() {
        poller.deregister(readiness);
        readiness.close();
    }

    @Override
    void tearDown() {
        // Nothing but the socket itself, which FdLifecycle closes.
    }
}
