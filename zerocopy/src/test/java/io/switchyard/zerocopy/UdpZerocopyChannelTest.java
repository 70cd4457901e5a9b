package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.counters.CounterSet;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.errors.SocketClosedException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The product channel's own duties on real loopback sockets: EPOLLERR readiness through the
 * io-native poller, a zerocopy request the socket had to send by copy (GSO off) not taking a
 * send id, and close waking a waiter.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpZerocopyChannelTest {
    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final CounterSet<ZerocopyCounter> counters = CounterSet.striped(ZerocopyCounter.class);

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase().contains("linux");
    }

    private static void train(MpmcBufferPool pool, PacketBatch batch) {
        for (int s = 0; s < 8; s++) {
            batch.add(pool.acquire().window(0, 1400));
        }
    }

    @Test
    void theErrorQueueWakesTheWatcherAndTheCompletionReturnsTheBuffers() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(
                    (InetSocketAddress) receiver.getLocalAddress()), 64)) {
                assumeTrue(channel.enableZerocopy(), "kernel refused SO_ZEROCOPY");
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters,
                        System::nanoTime);
                var batch = new PacketBatch(64);
                train(pool, batch);
                assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch));
                assertEquals(1, tracker.outstandingSends());
                while (tracker.outstandingSends() > 0) {
                    channel.awaitErrorQueue(); // returns on EPOLLERR (or spuriously: loop)
                    tracker.onErrorQueueReadable();
                }
                assertEquals(1, counters.get(ZerocopyCounter.COMPLETED_COPIED)
                        + counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY));
            }
        }
    }

    @Test
    void aZerocopyRequestSentByCopyTakesNoSendId() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            // Without GSO the socket sends a train datagram by datagram, by copy.
            try (var channel = UdpZerocopyChannel.open(UdpOptions.create().gso(false).connect(
                    (InetSocketAddress) receiver.getLocalAddress()), 64)) {
                assumeTrue(channel.enableZerocopy(), "kernel refused SO_ZEROCOPY");
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters,
                        System::nanoTime);
                var batch = new PacketBatch(64);
                train(pool, batch);
                assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
                assertEquals(0, tracker.outstandingSends(), "buffers returned at once");
                assertEquals(0, tracker.nextSendId(), "no kernel id was consumed");
                assertTrue(batch.isEmpty());
            }
        }
    }

    @Test
    void aTrainOfMoreBuffersThanTheKernelCanPinGoesByCopyAndArrives() throws Throwable {
        assumeTrue(linux());
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET)) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(
                    (InetSocketAddress) receiver.getLocalAddress()), 64)) {
                assumeTrue(channel.enableZerocopy(), "kernel refused SO_ZEROCOPY");
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters,
                        System::nanoTime);
                var batch = new PacketBatch(64);
                // 18 slots need 18 skb frags: a zerocopy sendmsg would fail with EMSGSIZE.
                for (int s = 0; s <= UdpZerocopyChannel.MAX_ZEROCOPY_BUFFERS; s++) {
                    batch.add(pool.acquire().window(0, 1000));
                }
                assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
                assertEquals(0, tracker.nextSendId());
                var in = java.nio.ByteBuffer.allocate(2048);
                for (int s = 0; s <= UdpZerocopyChannel.MAX_ZEROCOPY_BUFFERS; s++) {
                    in.clear();
                    receiver.receive(in);
                    assertEquals(1000, in.position(), "datagram " + s + " arrived whole");
                }
                assertEquals(0, channel.socket().counters().get(io.switchyard.io.IoCounter.SEND_DROPPED));
            }
        }
    }

    @Test
    void closingTheChannelWakesAnErrorQueueWaiter() throws Throwable {
        assumeTrue(linux());
        var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9)), 8);
        assumeTrue(channel.enableZerocopy(), "kernel refused SO_ZEROCOPY");
        var failure = new CompletableFuture<Throwable>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    channel.awaitErrorQueue();
                }
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        Thread.sleep(50); // let it park (not needed for correctness: close also fails a later await)
        channel.close();
        assertInstanceOf(SocketClosedException.class, failure.get(30, TimeUnit.SECONDS));
        watcher.join();
        assertFalse(channel.socket().isOpen());
        channel.close(); // idempotent
        var batch = new PacketBatch(1);
        assertEquals(SendStatus.FAILED, channel.send(batch, true), "a send after close fails cleanly");
    }
}
