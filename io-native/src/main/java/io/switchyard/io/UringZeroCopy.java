package io.switchyard.io;

import static io.switchyard.io.UringUdpSocket.UD_KIND_MASK;
import static io.switchyard.io.UringUdpSocket.UD_ZC;
import static io.switchyard.io.linux.LinuxStructs.CMSG_U16;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.EpollPoller;
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
 * The zerocopy side of an {@link UringUdpSocket}: IORING_OP_SENDMSG_ZC with
 * IORING_SEND_ZC_REPORT_USAGE on its own ring, and its notifications mapped onto the error-queue
 * records of MSG_ZEROCOPY, so the zerocopy module's completion tracker works unchanged.
 *
 * <p>A successful send takes the next 32-bit id, exactly as MSG_ZEROCOPY numbers them; its
 * notification completion (IORING_CQE_F_NOTIF) is reported by {@link #readErrorQueue} as an
 * SO_EE_ORIGIN_ZEROCOPY record for that id, with code SO_EE_CODE_ZEROCOPY_COPIED when the
 * kernel says it copied, consecutive ids with the same code merged into one record as the kernel
 * merges them. A failed send still gets a notification (IORING_CQE_F_MORE on its completion);
 * that one is swallowed, since no id was taken.
 *
 * <p>Waiting: the ring's eventfd is registered with the {@link EpollPoller}; a completion reader
 * parks on its {@link Readiness} after seeing nothing pending. Guarded by one lock: the sender
 * and the completion reader.
 */
final class UringZeroCopy {
    /** Completion queue entries: notifications wait here until the tracker reads them. */
    static final int ZC_CQ_ENTRIES = 1024;

    private final int fd;
    private final FdLifecycle lifecycle;
    private final IoCounters counters;
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
    /** Times a send had to poll for its completion after io_uring_enter returned (expected 0). */
    private volatile long lateCompletions;

    /** Takes over {@code zcRing} and its eventfd with its readiness; {@code arena} holds the msghdr and cmsg. */
    UringZeroCopy(AbstractLinuxUdpSocket socket, Ring zcRing, int zcEventFd, Readiness zcReady, Arena arena) {
        this.fd = socket.fd;
        this.lifecycle = socket.lifecycle;
        this.counters = socket.counters;
        this.zcRing = zcRing;
        this.zcEventFd = zcEventFd;
        this.zcReady = zcReady;
        this.zcState = LibC.newCallState(arena);
        this.zcMsg = arena.allocate(MSGHDR);
        this.zcControl = arena.allocate(CMSG_U16);
        ControlMessages.initUdpSegment(zcControl);
    }

    /** One SENDMSG_ZC; on success takes the next id, marks the datagrams sent and counts. Returns 0 or -errno. */
    int send(SendBatch batch, int start, int n) throws TransportException {
        lifecycle.acquire("io_uring sendmsg_zc");
        zcLock.lock();
        try {
            batch.fillMsg(start, n, zcMsg, zcControl);
            long id = zeroCopySends & 0xffff_ffffL;
            // A sequence number besides the id keeps a failed attempt's late notification apart
            // from the next attempt, which reuses the id.
            long ud = UD_ZC | ((long) (zcSeq++ & 0xff_ffff) << 32) | id;
            zcRing.prep(Uring.IORING_OP_SENDMSG_ZC, (byte) 0, Uring.IORING_SEND_ZC_REPORT_USAGE, fd, zcMsg.address(),
                    0, Linux.MSG_DONTWAIT, ud, (short) 0);
            zcRing.submitAll(zcState, "io_uring_enter(SENDMSG_ZC)");
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
                        counters.sentInOneMessage(n);
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
                    lateCompletions++;
                }
                deadline = zcRing.awaitCompletions(zcState, deadline, "io_uring sendmsg_zc", 1);
            }
        } finally {
            zcLock.unlock();
            lifecycle.release();
        }
    }

    /** A notification CQE (zcLock held): queue its id, or swallow it if its send failed. */
    private void notification(long ud, int res) {
        if ((ud & UD_KIND_MASK) != UD_ZC) {
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

    /**
     * Reports the zerocopy notifications as error-queue records: origin SO_EE_ORIGIN_ZEROCOPY,
     * errno 0, {@code [info, data]} a range of consecutive ids with the same code (1 = COPIED).
     */
    int readErrorQueue(ErrorQueueSink sink) throws TransportException {
        int records = 0;
        lifecycle.acquire("io_uring sendmsg_zc notifications");
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
            lifecycle.release();
            counters.add(IoCounter.ZEROCOPY_COMPLETIONS, records);
        }
        return records;
    }

    void awaitErrorQueue() throws TransportException {
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

    /** Zerocopy sends accepted so far; the id of the next one is this value mod 2^32. */
    long zeroCopySends() {
        return zeroCopySends;
    }

    long lateCompletions() {
        return lateCompletions;
    }

    /** On close: no more waiting for notifications. */
    void wakeWaiters(EpollPoller poller) {
        poller.deregister(zcReady);
        zcReady.close();
    }

    /** Last one out: closing the ring cancels what is in flight (the kernel keeps pinned pages until it is done with them). */
    void tearDown(MemorySegment cs) {
        zcLock.lock();
        try {
            zcRing.close();
        } finally {
            zcLock.unlock();
        }
        LibC.close(cs, zcEventFd);
    }
}
