package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MMSG_LEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROL;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROLLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_FLAGS;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.switchyard.io.linux.EpollPoller;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Linux transport: a non-blocking UDP socket driven through FFM.
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
 * thread unparks it. Closing: a use count guards the fd, so it is closed only after any call in
 * progress on another thread returns (a recycled fd number must never receive our I/O).
 */
final class LinuxUdpSocket implements UdpSocket {
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final boolean ipv6;
    private final Readiness readiness;
    private final EpollPoller poller;
    private final IoCounters counters = new IoCounters();
    private final AtomicInteger useState = new AtomicInteger();
    private final boolean groOn;
    private final boolean rxqOn;
    private final boolean wantControl;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final boolean zeroCopyOn;
    private final GsoSwitch gso;
    /** Written only by the sending thread. */
    private volatile long zeroCopySends;
    // Error-queue read state: one reader at a time (the zerocopy completion tracker).
    private final MemorySegment errMsg;
    private final MemorySegment errControl;
    private final MemorySegment errState;
    private static final long ERR_CONTROL_SPACE = 128;
    /** Test seam: when non-zero, the next GSO send fails with this errno instead of calling the kernel. */
    private volatile int injectedGsoErrno;

    private LinuxUdpSocket(int fd, boolean ipv6, boolean gro, boolean gso, boolean rxq, boolean zeroCopy,
                           InetSocketAddress local, InetSocketAddress remote,
                           EpollPoller poller, Readiness readiness) {
        this.fd = fd;
        this.ipv6 = ipv6;
        this.groOn = gro;
        this.gso = new GsoSwitch(gso, counters);
        this.rxqOn = rxq;
        this.wantControl = rxq || gro;
        this.local = local;
        this.remote = remote;
        this.poller = poller;
        this.readiness = readiness;
        this.zeroCopyOn = zeroCopy;
        if (zeroCopy) {
            Arena a = Arena.ofAuto();
            errMsg = a.allocate(io.switchyard.io.linux.LinuxStructs.MSGHDR);
            errControl = a.allocate(ERR_CONTROL_SPACE, 8);
            errState = LibC.newCallState(a);
        } else {
            errMsg = errControl = errState = null;
        }
    }

    static LinuxUdpSocket open(UdpOptions o) throws TransportException {
        Bound b = bind(o, o.zeroCopy);
        try (Arena a = Arena.ofConfined()) {
            try {
                EpollPoller poller = EpollPoller.instance();
                Readiness readiness = poller.register(b.fd());
                return new LinuxUdpSocket(b.fd(), b.ipv6(), b.gro(), b.gso(), b.rxq(), o.zeroCopy,
                        b.local(), b.remote(), poller, readiness);
            } catch (TransportException | RuntimeException e) {
                LibC.close(LibC.newCallState(a), b.fd());
                throw e;
            }
        }
    }

    /** A non-blocking UDP socket with the options applied, bound and maybe connected. */
    record Bound(int fd, boolean ipv6, boolean rxq, boolean gro, boolean gso,
                 InetSocketAddress local, InetSocketAddress remote) {}

    /**
     * Creates, configures, binds (and connects) the socket; shared with the io_uring transport.
     * {@code errorQueue} sets SO_ZEROCOPY and IP_RECVERR (MSG_ZEROCOPY completions).
     */
    static Bound bind(UdpOptions o, boolean errorQueue) throws TransportException {
        InetSocketAddress bind = o.bind;
        boolean v6 = bind.getAddress() instanceof Inet6Address;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            int fd = LibC.socket(cs, v6 ? Linux.AF_INET6 : Linux.AF_INET,
                    Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Errno.exception("socket", -fd);
            }
            try {
                if (v6) {
                    // Dual stack on a wildcard bind; a specific IPv6 address is IPv6 only anyway.
                    setInt(a, cs, fd, Linux.SOL_IPV6, Linux.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
                }
                if (o.reusePort) {
                    setInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1, "SO_REUSEPORT");
                }
                if (o.mark != 0) {
                    // Before bind and connect: connect's route lookup already uses the mark.
                    int e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_MARK, o.mark);
                    if (e != 0) {
                        throw new TransportException("setsockopt SO_MARK 0x" + Integer.toUnsignedString(o.mark, 16)
                                + ": " + Errno.name(e) + " (" + e + ")"
                                + (e == Errno.EPERM ? "; setting a mark needs CAP_NET_ADMIN" : ""),
                                "setsockopt SO_MARK", Errno.name(e));
                    }
                }
                if (o.receiveBuffer > 0) {
                    setBuffer(a, cs, fd, Linux.SO_RCVBUFFORCE, Linux.SO_RCVBUF, o.receiveBuffer);
                }
                if (o.sendBuffer > 0) {
                    setBuffer(a, cs, fd, Linux.SO_SNDBUFFORCE, Linux.SO_SNDBUF, o.sendBuffer);
                }
                boolean rxq = o.rxqOverflow && trySetInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, 1) == 0;
                boolean gro = o.gro && trySetInt(a, cs, fd, Linux.SOL_UDP, Linux.UDP_GRO, 1) == 0;
                boolean gso = o.gso && Capabilities.probe().available(Capability.GSO);
                if (errorQueue) {
                    setInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_ZEROCOPY, 1, "SO_ZEROCOPY");
                    if (v6) {
                        setInt(a, cs, fd, Linux.SOL_IPV6, Linux.IPV6_RECVERR, 1, "IPV6_RECVERR");
                    }
                    // On a dual-stack socket IPv4 traffic reports through IP_RECVERR.
                    trySetInt(a, cs, fd, Linux.SOL_IP, Linux.IP_RECVERR, 1);
                }
                MemorySegment addr = a.allocate(SOCKADDR_STORAGE, 8);
                int len = SockAddr.encode(bind, addr, 0, v6);
                int r = LibC.bind(cs, fd, addr, len);
                if (r < 0) {
                    throw Errno.exception("bind " + bind, -r);
                }
                InetSocketAddress remote = null;
                if (o.connect != null) {
                    len = SockAddr.encode(o.connect, addr, 0, v6);
                    r = LibC.connect(cs, fd, addr, len);
                    if (r < 0) {
                        throw Errno.exception("connect " + o.connect, -r);
                    }
                    remote = o.connect;
                }
                MemorySegment alen = a.allocate(JAVA_INT);
                alen.set(JAVA_INT, 0, (int) SOCKADDR_STORAGE);
                addr.fill((byte) 0);
                r = LibC.getsockname(cs, fd, addr, alen);
                if (r < 0) {
                    throw Errno.exception("getsockname", -r);
                }
                return new Bound(fd, v6, rxq, gro, gso, SockAddr.decode(addr, 0), remote);
            } catch (TransportException | RuntimeException e) {
                LibC.close(cs, fd);
                throw e;
            }
        }
    }

    /** The socket's SO_MARK as the kernel has it (0 if none); for tests and diagnostics. */
    int mark() throws TransportException {
        acquire("getsockopt");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Integer.BYTES);
            int r = LibC.getsockopt(cs, fd, Linux.SOL_SOCKET, Linux.SO_MARK, v, len);
            if (r < 0) {
                throw Errno.exception("getsockopt SO_MARK", -r);
            }
            return v.get(JAVA_INT, 0);
        } finally {
            release();
        }
    }

    private static int trySetInt(Arena a, MemorySegment cs, int fd, int level, int name, int value) {
        MemorySegment v = a.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        int r = LibC.setsockopt(cs, fd, level, name, v, Integer.BYTES);
        return r < 0 ? -r : 0;
    }

    private static void setInt(Arena a, MemorySegment cs, int fd, int level, int name, int value, String what)
            throws TransportException {
        int e = trySetInt(a, cs, fd, level, name, value);
        if (e != 0) {
            throw Errno.exception("setsockopt " + what, e);
        }
    }

    private static void setBuffer(Arena a, MemorySegment cs, int fd, int force, int plain, int bytes)
            throws TransportException {
        // The FORCE variants ignore net.core.{r,w}mem_max but need CAP_NET_ADMIN.
        int e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, force, bytes);
        if (e == Errno.EPERM) {
            e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, plain, bytes);
        }
        if (e != 0) {
            throw Errno.exception("setsockopt buffer size", e);
        }
    }

    @Override
    public String transportName() {
        return "linux-native";
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
        MemorySegment controls = batch.controls;
        int truncated = 0;
        int coalesced = 0;
        long groSegments = 0;
        long kernelDrops = -1;
        for (int k = 0; k < n; k++) {
            long m = MMSGHDR.byteSize() * k;
            int len = (int) MMSG_LEN.get(msgs, m);
            int flags = (int) MSG_FLAGS.get(msgs, m + MMSG_HDR_OFFSET);
            int segment = 0;
            if (wantControl) {
                long clen = (long) MSG_CONTROLLEN.get(msgs, m + MMSG_HDR_OFFSET);
                long base = RecvBatch.CONTROL_SPACE * k;
                if (groOn) {
                    segment = ControlMessages.groSegment(controls, base, clen);
                }
                if (rxqOn) {
                    long drops = ControlMessages.rxqOverflow(controls, base, clen);
                    if (drops >= 0) {
                        kernelDrops = drops;
                    }
                }
            }
            if ((flags & Linux.MSG_TRUNC) != 0) {
                truncated++;
                continue;
            }
            int segments = batch.addReceived(k, 0, len, segment);
            if (segments > 0) {
                coalesced++;
                groSegments += segments;
            }
        }
        counters.add(IoCounter.RECEIVE_CALLS, 1);
        counters.add(IoCounter.DATAGRAMS_RECEIVED, batch.count);
        counters.add(IoCounter.TRUNCATED, truncated);
        batch.truncated = truncated;
        counters.add(IoCounter.GRO_COALESCED, coalesced);
        counters.add(IoCounter.GRO_SEGMENTS, groSegments);
        if (kernelDrops >= 0) {
            counters.max(IoCounter.KERNEL_DROPS, kernelDrops);
        }
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
        long r = sendOne(batch, start, n, 0);
        if (r == -Errno.ECONNREFUSED) {
            // A queued ICMP error from an earlier datagram, consumed by this call: send once more.
            counters.add(IoCounter.RECEIVE_ERRORS, 1);
            r = sendOne(batch, start, n, 0);
        }
        if (r >= 0) {
            return n;
        }
        return gso.trainFailed(batch, start, n, (int) -r, local, transportName(), "sendmsg(UDP_SEGMENT)", this::trySend);
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
                int injected = n > 1 ? injectedGsoErrno : 0;
                long r;
                if (injected != 0) {
                    injectedGsoErrno = 0;
                    r = -injected;
                } else {
                    r = LibC.sendmsg(batch.callState, fd, msg.address(), Linux.MSG_DONTWAIT | flags);
                }
                if (r >= 0) {
                    batch.sent = start + n;
                    counters.add(IoCounter.SEND_CALLS, 1);
                    if (n > 1) {
                        counters.add(IoCounter.GSO_TRAINS, 1);
                        counters.add(IoCounter.GSO_SEGMENTS, n);
                    }
                    counters.add(IoCounter.DATAGRAMS_SENT, n);
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
        long r = sendOne(batch, start, n, Linux.MSG_ZEROCOPY);
        if (r >= 0) {
            zeroCopySends = zeroCopySends + 1;
            return n;
        }
        int e = (int) -r;
        if (e == Errno.ENOBUFS) {
            counters.add(IoCounter.ZEROCOPY_NOBUFS, 1);
            return ZEROCOPY_NOBUFS;
        }
        if (n == 1) {
            return gso.singleFailed(batch, start, e, "sendmsg(MSG_ZEROCOPY)");
        }
        return gso.trainFailed(batch, start, n, e, local, transportName(), "sendmsg(MSG_ZEROCOPY)", this::trySend);
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

    /** Test seam: make the next GSO send fail with {@code errno} (e.g. EIO) without calling the kernel. */
    void injectGsoFailure(int errno) {
        injectedGsoErrno = errno;
    }

    /** An AF_INET6 socket needs IPv4 destinations in the IPv4-mapped form. */
    private void prepareDestinations(SendBatch b, int from, int to) {
        if (ipv6) {
            b.mapToIpv6(from, to);
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
            closeFd();
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
        poller.deregister(readiness);
        readiness.close();
        if (s == 0) {
            closeFd();
        }
    }

    private void closeFd() {
        try (Arena a = Arena.ofConfined()) {
            LibC.close(LibC.newCallState(a), fd);
        }
    }

    @Override
    public String toString() {
        return "LinuxUdpSocket[fd=" + fd + ", local=" + local + (remote != null ? ", remote=" + remote : "") + "]";
    }
}
