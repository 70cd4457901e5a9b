package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The native data path allocates nothing per datagram: after warm-up, thousands of rounds of
 * send + GSO train + receive (32 datagrams a round) allocate under 8 bytes per datagram on the
 * calling thread (JVM per-thread allocation counter); one object per datagram would be at least
 * 16. Observed: about 48 bytes per round (1.5 per datagram), not yet traced; a standalone probe
 * of trySend/tryReceive/sendTrain/receive measured 0-4 bytes per round. (This test found
 * {@code AtomicLongArray.accumulateAndGet} allocating 40 bytes per receive call.)
 */
class HotPathAllocationTest extends SocketFixture {
    @Override
    Transport transport() {
        return Transport.NATIVE;
    }

    @Test
    void sendAndReceiveBatchesDoNotAllocate() throws Exception {
        UdpSocket rx = openLoopback();
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)));
        RecvBatch rb = batch(32, 2048);
        SendBatch sb = sendBatch(32);
        SendBatch train = sendBatch(32);
        SockAddr dest = SockAddr.of(rx.localAddress());
        SockAddr seen = SockAddr.allocate();
        var data = arena.allocate(32 * 1000);
        // Reflection: the test sources compile inside the module, which does not read java.management.
        Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Method allocatedBytes = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long.class);
        long tid = Thread.currentThread().threadId();
        int rounds = 5000;
        int warmup = 20_000; // long enough for C2, whose escape analysis the FFM path relies on
        long before = 0;
        long received = 0;
        for (int r = 0; r < warmup + rounds; r++) {
            if (r == warmup) {
                before = (long) allocatedBytes.invoke(mx, tid);
                received = 0;
            }
            sb.clear();
            train.clear();
            for (int i = 0; i < 16; i++) {
                sb.add(data, i * 1000L, 100, dest);
                train.add(data, (16 + i) * 1000L, 200, dest);
            }
            tx.send(sb);
            tx.sendTrain(train);
            int got = 0;
            while (got < 32) {
                int n = rx.receive(rb);
                for (int i = 0; i < n; i++) {
                    if (!rb.sourceEquals(i, seen)) {
                        rb.copySource(i, seen);
                    }
                }
                got += n;
            }
            received += got;
        }
        long allocated = (long) allocatedBytes.invoke(mx, tid) - before;
        assertEquals(32L * rounds, received);
        assertTrue(allocated < 8L * 32 * rounds, "allocated " + allocated + " bytes over " + rounds
                + " rounds of 16 datagrams + a 16-segment train + receives");
    }
}
