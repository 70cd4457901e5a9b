package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Linux;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MSG_ZEROCOPY sends and their completions from the error queue (loopback: the kernel copies). */
@Timeout(60)
class ZeroCopyTest extends SocketFixture {
    @Override
    Transport transport() {
        return Transport.NATIVE;
    }

    record Completion(int origin, int errno, int code, int info, int data) {}

    @Test
    void zerocopyTrainCompletesOnTheErrorQueue() throws Exception {
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).zeroCopy(true));
        UdpSocket rx = openLoopback();
        SockAddr dest = SockAddr.of(rx.localAddress());
        List<Completion> completions = new ArrayList<>();
        ErrorQueueSink sink = (origin, errno, code, info, data) ->
                completions.add(new Completion(origin, errno, code, info, data));
        for (int round = 0; round < 2; round++) {
            SendBatch sb = sendBatch(64);
            for (int i = 0; i < 10; i++) {
                sb.add(nativeCopy(payload(round * 10 + i, 1400)), 0, 1400, dest);
            }
            assertEquals(10, tx.trySendZeroCopy(sb));
            assertEquals(round + 1, tx.zeroCopySends());
            List<byte[]> got = receiveAll(rx, batch(64, 2048), 10);
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(payload(round * 10 + i, 1400), got.get(i));
            }
        }
        // Completion ids 0 and 1, possibly merged into one range record.
        int covered = 0;
        while (covered < 2) {
            if (tx.readErrorQueue(sink) == 0) {
                tx.awaitErrorQueue();
            }
            covered = completions.stream().mapToInt(c -> c.data() - c.info() + 1).sum();
        }
        for (Completion c : completions) {
            assertEquals(Linux.SO_EE_ORIGIN_ZEROCOPY, c.origin());
            assertEquals(0, c.errno());
            assertEquals(Linux.SO_EE_CODE_ZEROCOPY_COPIED, c.code(), "loopback always copies");
        }
        assertEquals(0, completions.getFirst().info());
        assertEquals(1, completions.getLast().data());
        assertEquals(completions.size(), tx.counters().get(IoCounter.ZEROCOPY_COMPLETIONS));
    }

    @Test
    void aContiguous64KiBTrainGoesZerocopyAsOneSend() throws Exception {
        // 46 separate buffers would need 46 page frags and be refused (EMSGSIZE, MAX_SKB_FRAGS
        // is 17); one contiguous page-aligned buffer pins its 16 pages.
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).zeroCopy(true).sendBuffer(1 << 20));
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).receiveBuffer(4 << 20));
        var data = arena.allocate(65_536, 4096);
        for (int i = 0; i < 46; i++) {
            java.lang.foreign.MemorySegment.copy(payload(i, 1400), 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE,
                    i * 1400L, 1400);
        }
        SendBatch sb = sendBatch(64);
        assertEquals(46, sb.addTrain(data, 0, 46 * 1400, 1400, SockAddr.of(rx.localAddress())));
        assertEquals(46, tx.trySendZeroCopy(sb));
        assertEquals(1, tx.zeroCopySends(), "one zerocopy send id for the whole train");
        assertEquals(0, tx.counters().get(IoCounter.SEND_DROPPED), tx.counters().toString());
        assertEquals(1, tx.counters().get(IoCounter.GSO_TRAINS));
        List<byte[]> got = receiveAll(rx, batch(64, 2048), 46);
        for (int i = 0; i < 46; i++) {
            assertArrayEquals(payload(i, 1400), got.get(i), "datagram " + i);
        }
        List<Completion> completions = new ArrayList<>();
        while (completions.isEmpty()) {
            if (tx.readErrorQueue((o, e, c, info, d) -> completions.add(new Completion(o, e, c, info, d))) == 0) {
                tx.awaitErrorQueue();
            }
        }
        assertEquals(0, completions.getFirst().info());
        assertEquals(0, completions.getFirst().data());
    }

    @Test
    void zerocopySendNeedsTheOption() throws Exception {
        UdpSocket tx = openLoopback();
        SendBatch sb = sendBatch(1);
        sb.add(nativeCopy(new byte[10]), 0, 10, SockAddr.of(tx.localAddress()));
        assertThrows(IllegalStateException.class, () -> tx.trySendZeroCopy(sb));
        assertThrows(TransportException.class, () -> Datagrams.open(UdpOptions.create()
                .bind(new InetSocketAddress(LO4, 0)).zeroCopy(true).transport(Transport.NIO)));
    }
}
