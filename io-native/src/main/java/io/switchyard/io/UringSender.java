package io.switchyard.io;

import static io.switchyard.io.UringUdpSocket.UD_KIND_MASK;
import static io.switchyard.io.UringUdpSocket.UD_SEND;
import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.Readiness;
import io.switchyard.io.linux.uring.Ring;
import io.switchyard.io.linux.uring.Uring;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The send side of an {@link UringUdpSocket}: IORING_OP_SENDMSG entries on its own ring, each
 * pointing at a {@code msghdr} the {@link SendBatch} has prebuilt, so nothing is written per
 * datagram but the SQE.
 *
 * <p>A batch goes out as submissions of up to {@value #SEND_CHAIN} independent entries
 * ({@link #sendChains} says why not linked, and how a hole is closed); a GSO train is one entry
 * with the UDP_SEGMENT cmsg ({@link #sendTrain}). Every entry carries MSG_DONTWAIT, which
 * io_uring honours by completing with EAGAIN instead of arming a poll, so every send completes
 * inside the submitting {@code io_uring_enter} and nothing references the batch after the call
 * returns; a full buffer parks on the socket's EPOLLOUT like the epoll transport. The ring needs
 * no eventfd for the same reason. Guarded by one lock (the sending thread; close).
 */
final class UringSender {
    /** Most sendmsg entries in one submission. */
    static final int SEND_CHAIN = 64;

    private final int fd;
    private final FdLifecycle lifecycle;
    private final IoCounters counters;
    private final Readiness sockReady;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final Ring sendRing;
    private final MemorySegment sendState;
    private final int[] sendResults = new int[SEND_CHAIN];
    private final boolean[] sendDone = new boolean[SEND_CHAIN];
    /** Times a send had to poll for its completions after io_uring_enter returned (expected 0). */
    private volatile long lateCompletions;

    /** Takes over {@code sendRing}; parks on {@code sockReady} when a hole must wait for buffer space. */
    UringSender(AbstractLinuxUdpSocket socket, Readiness sockReady, Ring sendRing, Arena arena) {
        this.fd = socket.fd;
        this.lifecycle = socket.lifecycle;
        this.counters = socket.counters;
        this.sockReady = sockReady;
        this.sendRing = sendRing;
        this.sendState = LibC.newCallState(arena);
    }

    /** Sends what is left of {@code batch} (its destinations already prepared for the socket's family). */
    int trySend(SendBatch batch) throws TransportException {
        lifecycle.acquire("io_uring sendmsg");
        sendLock.lock();
        try {
            return sendChains(batch);
        } finally {
            sendLock.unlock();
            lifecycle.release();
        }
    }

    /**
     * One SENDMSG of datagrams [start, start + n) as a GSO train, their destinations already
     * prepared; marks them sent and counts on success. Bytes or -errno.
     */
    long sendTrain(SendBatch batch, int start, int n) throws TransportException {
        lifecycle.acquire("io_uring sendmsg");
        sendLock.lock();
        try {
            batch.fillMsg(start, n, batch.trainMsg, batch.trainControl);
            sendRing.prep(Uring.IORING_OP_SENDMSG, (byte) 0, (short) 0, fd, batch.trainMsg.address(), 0,
                    Linux.MSG_DONTWAIT, UD_SEND, (short) 0);
            sendRing.submitAll(sendState, "io_uring_enter(SENDMSG)");
            awaitSendResults(1);
            int r = sendResults[0];
            if (r >= 0) {
                batch.sent = start + n;
                counters.sentInOneMessage(n);
            }
            return r;
        } finally {
            sendLock.unlock();
            lifecycle.release();
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
                            msgs + MMSGHDR.byteSize() * (first + k), 0, Linux.MSG_DONTWAIT, UD_SEND | k, (short) 0);
                }
                sendRing.submitAll(sendState, "io_uring_enter(SENDMSG)");
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
            sendRing.prep(Uring.IORING_OP_SENDMSG, (byte) 0, (short) 0, fd, msghdr, 0, Linux.MSG_DONTWAIT, UD_SEND, (short) 0);
            sendRing.submitAll(sendState, "io_uring_enter(SENDMSG)");
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
                if ((ud & UD_KIND_MASK) != UD_SEND || k >= n || sendDone[k]) {
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
                    lateCompletions++;
                }
                deadline = sendRing.awaitCompletions(sendState, deadline, "io_uring sendmsg", n - got);
            }
        }
    }

    /** Times a send had to poll for its completions after io_uring_enter returned (expected 0). */
    long lateCompletions() {
        return lateCompletions;
    }

    /** Last one out: the kernel has nothing in flight here (every send completed in its call). */
    void close() {
        sendLock.lock();
        try {
            sendRing.close();
        } finally {
            sendLock.unlock();
        }
    }
}
