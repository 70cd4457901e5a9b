package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.counters.CounterSet;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tracker on real Linux sockets, through the product {@link UdpZerocopyChannel}: checks the
 * kernel facts the tracker rests on (one id per sendmsg, GSO train included; ids from 0;
 * loopback completes COPIED) and that the bytes arrive intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealKernelZerocopyTest {
    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final CounterSet<ZerocopyCounter> counters = CounterSet.striped(ZerocopyCounter.class);
    private long now = 0;

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase().contains("linux");
    }

    private static void fill(PacketBuffer b, int length, int seed) {
        b.window(0, length);
        for (int i = 0; i < length; i++) {
            b.slot().set(ValueLayout.JAVA_BYTE, i, (byte) (seed * 31 + i));
        }
    }

    private static void awaitCompletions(ZerocopyCompletionTracker tracker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (tracker.outstandingSends() > 0 && System.nanoTime() < deadline) {
            tracker.onErrorQueueReadable();
            Thread.sleep(1);
        }
        assertEquals(0, tracker.outstandingSends(), "the kernel completed every send");
    }

    private static void assertReceived(DatagramChannel receiver, int length, int seed) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(65536);
        receiver.receive(in);
        in.flip();
        assertEquals(length, in.remaining());
        for (int i = 0; i < length; i++) {
            assertEquals((byte) (seed * 31 + i), in.get(i), "byte " + i);
        }
    }

    @Test
    void loopbackCompletesEverySendCopiedAndTheTrackerBacksOff() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.large(16, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            try (var channel = UdpZerocopyChannel.open(io.switchyard.io.UdpOptions.create().connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), 64)) {
                var config = ZerocopyConfig.defaults().withBackoff(8, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(60));
                var tracker = new ZerocopyCompletionTracker(channel, config, counters, () -> now);
                assertTrue(tracker.zerocopyAvailable(), "SO_ZEROCOPY accepted");
                var batch = new PacketBatch(1);
                for (int i = 0; i < 8; i++) {
                    PacketBuffer b = pool.acquire();
                    fill(b, 12_000, i);
                    batch.add(b);
                    assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch));
                }
                assertEquals(8, tracker.nextSendId(), "the kernel numbers from 0");
                awaitCompletions(tracker);
                assertEquals(0, counters.get(ZerocopyCounter.UNKNOWN_COMPLETION_IDS), "our ids are the kernel's");
                assertEquals(8, counters.get(ZerocopyCounter.COMPLETED_COPIED), "loopback always copies");
                assertEquals(1, counters.get(ZerocopyCounter.BACKOFFS));
                assertFalse(tracker.zerocopyActive());
                for (int i = 0; i < 8; i++) {
                    assertReceived(receiver, 12_000, i);
                }
                PacketBuffer b = pool.acquire();
                fill(b, 12_000, 99);
                batch.add(b);
                assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
                assertReceived(receiver, 12_000, 99);
                assertEquals(0, tracker.close());
            }
        }
    }

    @Test
    void aGsoTrainIsOneKernelSendId() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            try (var channel = UdpZerocopyChannel.open(io.switchyard.io.UdpOptions.create().connect(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), 64)) {
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters, () -> now);
                var batch = new PacketBatch(64);
                for (int train = 0; train < 3; train++) {
                    for (int s = 0; s < 8; s++) {
                        PacketBuffer b = pool.acquire();
                        fill(b, s == 7 ? 700 : 1400, train * 8 + s); // the last segment may be short
                        batch.add(b);
                    }
                    assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch), "counters " + channel.socket().counters());
                }
                assertEquals(3, tracker.nextSendId());
                awaitCompletions(tracker);
                assertEquals(0, counters.get(ZerocopyCounter.UNKNOWN_COMPLETION_IDS));
                assertEquals(3, counters.get(ZerocopyCounter.COMPLETED_COPIED)
                        + counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY));
                for (int i = 0; i < 24; i++) {
                    assertReceived(receiver, i % 8 == 7 ? 700 : 1400, i);
                }
            }
        }
    }

    @Test
    void aTrainFromOne64KiBSlotArrivesAsItsSegmentsWithAndWithoutZerocopy() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.large(4, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            try (var channel = UdpZerocopyChannel.open(io.switchyard.io.UdpOptions.create().sendBuffer(1 << 20)
                    .connect((InetSocketAddress) receiver.getLocalAddress()), 1)) {
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters, () -> now);
                var copying = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults()
                        .withSizeThreshold(Integer.MAX_VALUE), CounterSet.striped(ZerocopyCounter.class), () -> now);
                var batch = new PacketBatch(1);
                int segments = 46;
                int last = 1000;
                for (int round = 0; round < 2; round++) {
                    PacketBuffer b = pool.acquire();
                    int length = (segments - 1) * 1400 + last;
                    b.window(0, length);
                    for (int i = 0; i < length; i++) {
                        int segment = i / 1400;
                        b.slot().set(ValueLayout.JAVA_BYTE, i, (byte) ((round * 64 + segment) * 31 + i % 1400));
                    }
                    assertTrue(batch.addTrain(b, 1400));
                    var outcome = (round == 0 ? tracker : copying).send(batch);
                    assertEquals(round == 0 ? SendOutcome.SENT_ZEROCOPY : SendOutcome.SENT_COPY, outcome);
                    for (int s = 0; s < segments; s++) {
                        assertReceived(receiver, s == segments - 1 ? last : 1400, round * 64 + s);
                    }
                }
                awaitCompletions(tracker);
                assertEquals(1, counters.get(ZerocopyCounter.COMPLETED_COPIED), "loopback copies");
                assertEquals(2, channel.socket().counters().get(io.switchyard.io.IoCounter.GSO_TRAINS));
            }
        }
    }
}
