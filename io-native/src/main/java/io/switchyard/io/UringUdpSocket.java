package io.switchyard.io;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.EpollPoller;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import io.switchyard.io.linux.uring.BufferRing;
import io.switchyard.io.linux.uring.Ring;
import io.switchyard.io.linux.uring.UringProbe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The io_uring transport ("linux-uring"): the same non-blocking UDP socket as
 * {@link LinuxUdpSocket}, driven through rings instead of {@code recvmmsg}/{@code sendmmsg}.
 * This class ties the parts together; each part is told in its own class:
 * <ul>
 *   <li>{@link UringReceiver}: the multishot recvmsg, the provided-buffer ring, buffers lent to a
 *       {@link RecvBatch};</li>
 *   <li>{@link UringSender}: the send ring, unlinked chains of sendmsg entries and the holes
 *       they can leave, GSO trains;</li>
 *   <li>{@link UringZeroCopy}: SENDMSG_ZC and its notifications mapped onto error-queue records;</li>
 *   <li>{@link AbstractLinuxUdpSocket}: what the epoll socket shares (the fd's use count and
 *       close, the GSO train and zerocopy decisions, IPv4-mapped destinations).</li>
 * </ul>
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
 * <p><b>user_data</b> names what a completion belongs to: the kind in the top byte
 * ({@link #UD_RECV}, {@link #UD_SEND}, {@link #UD_ZC}), the rest per kind (the entry's index in
 * a send chain; a zerocopy send's sequence number and id). A completion of the wrong kind on a
 * ring is counted ({@link IoCounter#URING_BAD_COMPLETIONS}) and ignored.
 *
 * <p><b>Waiting.</b> Never in the kernel. The receive and zerocopy rings each have an eventfd
 * registered with IORING_REGISTER_EVENTFD and with the {@link EpollPoller}; the send ring needs
 * none (its completions are inline), and a full send buffer parks on the socket's EPOLLOUT.
 *
 * <p><b>Closing</b> is {@link FdLifecycle}'s: the last call out tears down, the rings and their
 * memory before the socket fd; the buffer group is unregistered (synchronously) before its memory
 * is unmapped.
 */
final class UringUdpSocket extends AbstractLinuxUdpSocket {
    static final long UD_KIND_MASK = 0xffL << 56;
    static final long UD_RECV = 1L << 56;
    static final long UD_SEND = 2L << 56;
    static final long UD_ZC = 3L << 56;

    private final EpollPoller poller;
    /** The socket's own readiness: EPOLLOUT for a sender whose buffer is full. */
    private final Readiness sockReady;
    private final UringReceiver receiver;
    private final UringSender sender;
    /** Null without {@code zeroCopy(true)}. */
    private final UringZeroCopy zeroCopy;
    /** The socket's own small structs (msghdr templates, call states); freed on tear-down. */
    private final Arena arena;

    private UringUdpSocket(BoundSocket b, boolean zeroCopy, EpollPoller poller, Readiness sockReady,
                           Ring recvRing, BufferRing buffers, int recvEventFd, Readiness recvReady,
                           Ring sendRing, Ring zcRing, int zcEventFd, Readiness zcReady, Arena arena) {
        super("linux-uring", b, zeroCopy, "io_uring sendmsg(UDP_SEGMENT)", "io_uring sendmsg_zc");
        this.poller = poller;
        this.sockReady = sockReady;
        this.arena = arena;
        this.receiver = new UringReceiver(this, recvRing, buffers, recvEventFd, recvReady, arena);
        this.sender = new UringSender(this, sockReady, sendRing, arena);
        this.zeroCopy = zeroCopy ? new UringZeroCopy(this, zcRing, zcEventFd, zcReady, arena) : null;
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
        BoundSocket b = BoundSocket.open(o, false);
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
            Ring recvRing = Ring.open(4, UringReceiver.RECV_CQ_ENTRIES);
            undo[u++] = recvRing;
            BufferRing buffers = new BufferRing(UringReceiver.RECV_BUFFERS, UringReceiver.RECV_BUFFER_SIZE, (short) 0);
            undo[u++] = buffers;
            buffers.register(recvRing, cs);
            undo[u++] = () -> buffers.unregister(recvRing, cs);
            int recvEfd = newEventFd(cs);
            undo[u++] = () -> LibC.close(cs, recvEfd);
            recvRing.registerEventfd(cs, cell, recvEfd);
            Readiness recvReady = poller.register(recvEfd);
            undo[u++] = () -> poller.deregister(recvReady);
            Ring sendRing = Ring.open(UringSender.SEND_CHAIN, 2 * UringSender.SEND_CHAIN);
            undo[u++] = sendRing;
            Ring zcRing = null;
            int zcEfd = -1;
            Readiness zcReady = null;
            if (o.zeroCopy) {
                Ring z = Ring.open(4, UringZeroCopy.ZC_CQ_ENTRIES);
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
            for (int i = 0; i < buffers.entries(); i++) {
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

    // ------------------------------------------------------------------ receive

    @Override
    public int tryReceive(RecvBatch batch) throws TransportException {
        batch.clear(); // outside the receiver's lock: see UringReceiver.tryReceive
        return receiver.tryReceive(batch);
    }

    @Override
    public void wakeReceiver() {
        receiver.wakeReceiver();
    }

    @Override
    public void awaitReadable() throws TransportException {
        receiver.awaitReadable();
    }

    // ------------------------------------------------------------------ send

    @Override
    public void awaitWritable() throws TransportException {
        sockReady.await(Readiness.WRITE, "io_uring sendmsg");
    }

    @Override
    public int trySend(SendBatch batch) throws TransportException {
        if (batch.sent == batch.size) {
            return 0;
        }
        prepareDestinations(batch, batch.sent, batch.size);
        return sender.trySend(batch);
    }

    @Override
    long sendTrain(SendBatch batch, int start, int n) throws TransportException {
        int injected = takeInjectedGsoErrno();
        if (injected != 0) {
            return -injected;
        }
        prepareDestinations(batch, start, start + n);
        return sender.sendTrain(batch, start, n);
    }

    // ------------------------------------------------------------------ zerocopy

    @Override
    int sendZeroCopy(SendBatch batch, int start, int n) throws TransportException {
        prepareDestinations(batch, start, start + n);
        boolean retriedRefused = false;
        while (true) {
            int r = zeroCopy.send(batch, start, n);
            if (r >= 0) {
                return 0;
            }
            int e = -r;
            if (e == Errno.ENOMEM) {
                // SENDMSG_ZC reports a notification it could not allocate as ENOMEM: the same
                // remedy as ENOBUFS (send by copy).
                return Errno.ENOBUFS;
            }
            if (e == Errno.ECONNREFUSED && !retriedRefused) {
                // A queued ICMP error from an earlier datagram, consumed by this call: send once more.
                retriedRefused = true;
                counters.add(IoCounter.RECEIVE_ERRORS, 1);
                continue;
            }
            return e;
        }
    }

    @Override
    public long zeroCopySends() {
        return zeroCopy == null ? 0 : zeroCopy.zeroCopySends();
    }

    /**
     * Reports the zerocopy notifications as error-queue records: origin SO_EE_ORIGIN_ZEROCOPY,
     * errno 0, {@code [info, data]} a range of consecutive ids with the same code (1 = COPIED).
     */
    @Override
    public int readErrorQueue(ErrorQueueSink sink) throws TransportException {
        return zeroCopy == null ? 0 : zeroCopy.readErrorQueue(sink);
    }

    @Override
    public void awaitErrorQueue() throws TransportException {
        if (zeroCopy == null) {
            throw new IllegalStateException("socket was not opened with zeroCopy(true)");
        }
        zeroCopy.awaitErrorQueue();
    }

    /** Times a send had to poll for its completions after io_uring_enter returned (expected 0). */
    long lateCompletions() {
        return sender.lateCompletions() + (zeroCopy == null ? 0 : zeroCopy.lateCompletions());
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    void wakeWaiters() {
        poller.deregister(sockReady);
        sockReady.close();
        receiver.wakeWaiters(poller);
        if (zeroCopy != null) {
            zeroCopy.wakeWaiters(poller);
        }
    }

    @Override
    void tearDown() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            receiver.tearDown(cs);
            sender.close();
            if (zeroCopy != null) {
                zeroCopy.tearDown(cs);
            }
        }
        arena.close();
    }
}
