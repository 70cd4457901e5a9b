package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * What the two Linux transports share, written once: the epoll socket ({@link LinuxUdpSocket},
 * recvmmsg/sendmmsg) and the io_uring socket ({@link UringUdpSocket}) are the same kernel
 * socket ({@link BoundSocket}) driven two ways.
 * <ul>
 *   <li>the fd's use count and close ({@link FdLifecycle}): a subclass brackets each call with
 *       {@link #acquire}/{@link #release}, says how to wake its waiters and what to tear down;</li>
 *   <li>what the socket was opened with, its counters and its {@link GsoSwitch};</li>
 *   <li>IPv4 destinations rewritten for a dual-stack socket ({@link #prepareDestinations});</li>
 *   <li>the decisions around one GSO train or zerocopy send ({@link #trySendTrain},
 *       {@link #trySendZeroCopy}): when not to try GSO, the one retry after a stale ICMP error,
 *       ENOBUFS, and a refused train handed to {@link GsoSwitch}. The send itself is the
 *       subclass's ({@link #sendTrain}, {@link #sendZeroCopy}).</li>
 * </ul>
 * Receiving, sending a batch and the error queue differ between the two and stay in them.
 */
abstract sealed class AbstractLinuxUdpSocket implements UdpSocket permits LinuxUdpSocket, UringUdpSocket {
    /** The socket; only used between {@link #acquire} and {@link #release}. */
    final int fd;
    final boolean ipv6;
    final boolean groOn;
    final boolean rxqOn;
    final boolean zeroCopyOn;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    final IoCounters counters = new IoCounters();
    final GsoSwitch gso;
    final FdLifecycle lifecycle;
    private final String transportName;
    /** The calls named in errors: a GSO train's send and a zerocopy send. */
    private final String trainCall;
    private final String zeroCopyCall;
    /** Test seam: when non-zero, the next GSO send fails with this errno instead of calling the kernel. */
    private volatile int injectedGsoErrno;

    AbstractLinuxUdpSocket(String transportName, BoundSocket b, boolean zeroCopy, String trainCall,
                           String zeroCopyCall) {
        this.transportName = transportName;
        this.fd = b.fd();
        this.ipv6 = b.ipv6();
        this.groOn = b.gro();
        this.rxqOn = b.rxq();
        this.zeroCopyOn = zeroCopy;
        this.local = b.local();
        this.remote = b.remote();
        this.gso = new GsoSwitch(b.gso(), counters);
        this.trainCall = trainCall;
        this.zeroCopyCall = zeroCopyCall;
        this.lifecycle = new FdLifecycle(b.fd(), this::tearDown);
    }

    // ------------------------------------------------------------------ lifecycle

    /** Enters a call on the fd (see {@link FdLifecycle}). */
    final void acquire(String call) throws SocketClosedException {
        lifecycle.acquire(call);
    }

    final void release() {
        lifecycle.release();
    }

    @Override
    public final boolean isOpen() {
        return lifecycle.isOpen();
    }

    @Override
    public final void close() {
        lifecycle.close(this::wakeWaiters);
    }

    /** On close, once: deregister from the poller and wake every parked waiter. */
    abstract void wakeWaiters();

    /** The last one out after close, before the socket fd itself is closed: the transport's own resources. */
    abstract void tearDown();

    // ------------------------------------------------------------------ what the socket is

    @Override
    public final String transportName() {
        return transportName;
    }

    @Override
    public final InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public final boolean gsoEnabled() {
        return gso.on();
    }

    @Override
    public final boolean groEnabled() {
        return groOn;
    }

    @Override
    public final IoCounters counters() {
        return counters;
    }

    /** The socket's SO_MARK as the kernel has it (0 if none); for tests and diagnostics. */
    final int mark() throws TransportException {
        acquire("getsockopt");
        try {
            return BoundSocket.intOption(fd, Linux.SOL_SOCKET, Linux.SO_MARK, "SO_MARK");
        } finally {
            release();
        }
    }

    @Override
    public final void stopReceiving() throws TransportException {
        if (remote == null) {
            return;
        }
        InetAddress loopback = remote.getAddress() instanceof Inet4Address
                ? Inet4Address.ofLiteral("127.0.0.1") : Inet6Address.ofLiteral("::1");
        InetSocketAddress nowhere = new InetSocketAddress(loopback, local.getPort());
        acquire("connect");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment addr = a.allocate(SOCKADDR_STORAGE, 8);
            int r = LibC.connect(cs, fd, addr, SockAddr.encode(nowhere, addr, 0, ipv6));
            if (r < 0) {
                throw Errno.exception("connect " + nowhere + " (to stop receiving from " + remote + ")", -r);
            }
        } finally {
            release();
        }
    }

    // ------------------------------------------------------------------ send

    /** An AF_INET6 socket needs IPv4 destinations in the IPv4-mapped form: rewrites [from, to). */
    final void prepareDestinations(SendBatch batch, int from, int to) {
        if (ipv6) {
            batch.mapToIpv6(from, to);
        }
    }

    @Override
    public final int trySendTrain(SendBatch batch) throws TransportException {
        int start = batch.sent;
        int n = batch.size - start;
        if (n == 0) {
            return 0;
        }
        batch.checkTrain(start, n);
        if (!gso.on() || n == 1) {
            return trySend(batch);
        }
        long r = sendTrain(batch, start, n);
        if (r == -Errno.ECONNREFUSED) {
            // A queued ICMP error from an earlier datagram, consumed by this call: send once more.
            counters.add(IoCounter.RECEIVE_ERRORS, 1);
            r = sendTrain(batch, start, n);
        }
        if (r >= 0) {
            return n;
        }
        return gso.trainFailed(batch, start, n, (int) -r, local, transportName(), trainCall, this::trySend);
    }

    /**
     * One send of datagrams [start, start + n), n > 1, as a GSO train; on success marks them
     * sent and counts the call, the train and its datagrams. Returns the bytes sent or -errno.
     */
    abstract long sendTrain(SendBatch batch, int start, int n) throws TransportException;

    @Override
    public final int trySendZeroCopy(SendBatch batch) throws TransportException {
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
        int e = sendZeroCopy(batch, start, n);
        if (e == 0) {
            return n;
        }
        if (e == Errno.ENOBUFS) {
            counters.add(IoCounter.ZEROCOPY_NOBUFS, 1);
            return ZEROCOPY_NOBUFS;
        }
        return n == 1 ? gso.singleFailed(batch, start, e, zeroCopyCall)
                : gso.trainFailed(batch, start, n, e, local, transportName(), zeroCopyCall, this::trySend);
    }

    /**
     * One zerocopy send of datagrams [start, start + n) (a GSO train when n > 1); on success
     * takes the next completion id, marks them sent and counts. Returns 0, or the errno it failed
     * with (ENOBUFS when the kernel could not pin or track the buffers: send by copy).
     */
    abstract int sendZeroCopy(SendBatch batch, int start, int n) throws TransportException;

    /** Test seam: make the next GSO send fail with {@code errno} (e.g. EIO) without calling the kernel. */
    final void injectGsoFailure(int errno) {
        injectedGsoErrno = errno;
    }

    /** The errno injected for this GSO send (taken: the next send is real), or 0. */
    final int takeInjectedGsoErrno() {
        int e = injectedGsoErrno;
        if (e != 0) {
            injectedGsoErrno = 0;
        }
        return e;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[fd=" + fd + ", local=" + local
                + (remote != null ? ", remote=" + remote : "") + "]";
    }
}
