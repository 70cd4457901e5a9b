package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The native data path allocates nothing per datagram. Each path runs rounds of a send and the
 * receives (and, for zerocopy, the error-queue read) that bring its datagrams back, with 4 and
 * with 32 datagrams per round and the same syscalls; the JVM's per-thread allocation counter
 * then gives the bytes per datagram (the slope, which must be under 1 byte: one object per
 * datagram would be at least 16) and the bytes per round (the intercept).
 *
 * <p>The intercept is allowed one thing, explained here: 40 bytes per syscall at most. Every
 * downcall made with {@code Linker.Option.captureCallState} (all of ours: errno) has the JDK
 * slice the capture segment ({@code SharedUtils.checkCaptureSegment} → {@code asSlice}, one
 * {@code NativeMemorySegmentImpl}, 40 bytes). C2's escape analysis removes it when it inlines
 * the downcall into our caller, which is usual (measured: 0 bytes per 5,000 rounds on every path
 * when the class runs alone), but depends on inlining decisions that vary with what ran before
 * (measured: 40 bytes per round on the sendmmsg path in one whole-class run, found with a JFR
 * allocation profile). So: 0 B per datagram, and at most that JDK object per call. Paths:
 * sendmmsg + recvmmsg; a GSO train; a GSO train from one contiguous buffer into a GRO receiver
 * (one slot split into the datagrams, each source compared and copied without allocation); a
 * zerocopy train plus reading its completion from the error queue.
 *
 * <p>Each path is warmed up for 20,000 rounds (the send paths allocate while C1 code runs), and
 * each size is measured three times, keeping the least (a compilation landing inside one
 * measurement is not the steady state). This test once found
 * {@code AtomicLongArray.accumulateAndGet} allocating 40 bytes per receive call.
 */
class HotPathAllocationTest extends SocketFixture {
    private static final int WARMUP = 20_000;
    private static final int ROUNDS = 5_000;
    private static final int SMALL = 4;
    private static final int LARGE = 32;
    /** The JDK's capture-state slice (see the class doc), per syscall. */
    private static final long PER_CALL = 40;

    @Override
    Transport transport() {
        return Transport.NATIVE;
    }

    private static final Object MX;
    private static final Method ALLOCATED;

    static {
        try {
            // Reflection: the test sources compile inside the module, which does not read java.management.
            MX = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invoke(MX);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** One round of {@code datagrams} datagrams. */
    interface Round {
        void run(int datagrams) throws Exception;
    }

    private static long leastBytes(Round round, int datagrams) throws Exception {
        long probe = allocated();
        long overhead = allocated() - probe; // what reading the counter costs
        long least = Long.MAX_VALUE;
        for (int rep = 0; rep < 3; rep++) {
            long before = allocated();
            for (int i = 0; i < ROUNDS; i++) {
                round.run(datagrams);
            }
            least = Math.min(least, allocated() - before - overhead);
        }
        return least;
    }

    /**
     * @param maxCallsPerRound the syscalls one round makes at most (sends, receives including
     *        the EAGAIN before a wait, error-queue reads)
     */
    private static void assertNoAllocationPerDatagram(String what, int maxCallsPerRound, Round round) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            round.run(i % 2 == 0 ? SMALL : LARGE);
        }
        long small = leastBytes(round, SMALL);
        long large = leastBytes(round, LARGE);
        double perDatagram = (large - small) / (double) ((long) ROUNDS * (LARGE - SMALL));
        double perRound = small / (double) ROUNDS;
        String report = what + ": " + small + " B per " + ROUNDS + " rounds of " + SMALL + " datagrams, " + large
                + " B of " + LARGE + "; " + perDatagram + " B per datagram, " + perRound + " B per round";
        System.out.println(report);
        assertTrue(perDatagram < 1.0, report);
        assertTrue(perRound <= PER_CALL * maxCallsPerRound, report);
    }

    /** Receives exactly {@code expected} datagrams, comparing each source without allocation. */
    private static void drain(UdpSocket rx, RecvBatch b, SockAddr seen, int expected) throws TransportException {
        int got = 0;
        while (got < expected) {
            int n = rx.receive(b);
            for (int i = 0; i < n; i++) {
                if (!b.sourceEquals(i, seen)) {
                    b.copySource(i, seen);
                }
            }
            got += n;
        }
        if (got != expected) {
            throw new AssertionError("received " + got + ", expected " + expected);
        }
    }

    @Test
    void sendmmsgAndRecvmmsgDoNotAllocate() throws Exception {
        UdpSocket rx = openLoopback();
        UdpSocket tx = openLoopback();
        RecvBatch rb = batch(LARGE, 2048);
        SendBatch sb = sendBatch(LARGE);
        SockAddr dest = SockAddr.of(rx.localAddress());
        SockAddr seen = SockAddr.allocate();
        MemorySegment data = arena.allocate(LARGE * 1000);
        assertNoAllocationPerDatagram("sendmmsg + recvmmsg", 3, n -> {
            sb.clear();
            for (int i = 0; i < n; i++) {
                sb.add(data, i * 1000L, 100, dest);
            }
            tx.send(sb);
            drain(rx, rb, seen, n);
        });
    }

    @Test
    void gsoTrainsDoNotAllocate() throws Exception {
        UdpSocket rx = openLoopback();
        UdpSocket tx = openLoopback();
        RecvBatch rb = batch(LARGE, 2048);
        SendBatch train = sendBatch(LARGE);
        SockAddr dest = SockAddr.of(rx.localAddress());
        SockAddr seen = SockAddr.allocate();
        MemorySegment data = arena.allocate(LARGE * 1000);
        assertNoAllocationPerDatagram("GSO train (separate buffers)", 3, n -> {
            train.clear();
            for (int i = 0; i < n; i++) {
                train.add(data, i * 1000L, 200, dest);
            }
            tx.sendTrain(train);
            drain(rx, rb, seen, n);
        });
    }

    @Test
    void groReceiveDoesNotAllocate() throws Exception {
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).gro(true));
        UdpSocket tx = openLoopback();
        RecvBatch rb = batch(4, RecvBatch.GRO_SLOT_SIZE);
        SendBatch train = sendBatch(LARGE);
        SockAddr dest = SockAddr.of(rx.localAddress());
        SockAddr seen = SockAddr.allocate();
        MemorySegment data = arena.allocate(LARGE * 200);
        assertNoAllocationPerDatagram("GSO train (one contiguous buffer) into a GRO receiver", 3, n -> {
            train.clear();
            train.addTrain(data, 0, n * 200, 200, dest);
            tx.sendTrain(train);
            drain(rx, rb, seen, n);
        });
        assertTrue(rx.counters().get(IoCounter.GRO_COALESCED) > 0, rx.counters().toString());
    }

    @Test
    void zerocopySendAndErrorQueueDoNotAllocate() throws Exception {
        UdpSocket rx = openLoopback();
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).zeroCopy(true));
        RecvBatch rb = batch(LARGE, 2048);
        SendBatch train = sendBatch(LARGE);
        SockAddr dest = SockAddr.of(rx.localAddress());
        SockAddr seen = SockAddr.allocate();
        MemorySegment data = arena.allocate(LARGE * 200);
        long[] completed = new long[1];
        ErrorQueueSink sink = (origin, errno, code, info, d) -> completed[0] += Integer.toUnsignedLong(d - info) + 1;
        assertNoAllocationPerDatagram("zerocopy train + error-queue read", 6, n -> {
            train.clear();
            train.addTrain(data, 0, n * 200, 200, dest);
            while (tx.trySendZeroCopy(train) == 0) {
                tx.awaitWritable();
            }
            drain(rx, rb, seen, n);
            while (completed[0] < tx.zeroCopySends()) {
                if (tx.readErrorQueue(sink) == 0) {
                    tx.awaitErrorQueue();
                }
            }
        });
        assertTrue(tx.zeroCopySends() >= WARMUP + 6L * ROUNDS);
    }
}
