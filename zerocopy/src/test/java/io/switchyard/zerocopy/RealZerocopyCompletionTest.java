package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.counters.CounterSet;
import io.switchyard.io.IoCounter;
import io.switchyard.io.UdpOptions;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real zerocopy completions (code 0) and partial copying sends, in a network namespace the test
 * creates ({@link PrivateNetns}): a veth pair lives entirely inside it, the near end has
 * 10.77.0.1/24, and nobody answers for 10.77.0.2. Packets sent there wait in the neighbour
 * queue, still charged to the sending socket and pinning zerocopy pages, and are dropped when
 * resolution fails, without ever being copied: so the completion comes late and with code 0.
 * Resolution is made to fail after one probe of 500 ms (instead of 3 x 1 s). The host's own
 * network is never touched. Needs root and iproute2: skipped with the reason otherwise, and
 * failed instead when {@code CI=true}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealZerocopyCompletionTest {
    private static final String LINK = "zc0";

    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final CounterSet<ZerocopyCounter> counters = CounterSet.striped(ZerocopyCounter.class);
    private PrivateNetns ns;

    @BeforeEach
    void createNamespace() throws Exception {
        ns = PrivateNetns.create("rzc");
        ns.must("link", "add", LINK, "type", "veth", "peer", "name", LINK + "p");
        ns.must("addr", "add", "10.77.0.1/24", "dev", LINK);
        ns.must("link", "set", LINK, "up");
        ns.must("link", "set", LINK + "p", "up");
        // /proc/sys/net shows the namespace of the thread that opens it.
        ns.inside(() -> {
            java.nio.file.Path neigh = java.nio.file.Path.of("/proc/sys/net/ipv4/neigh", LINK);
            java.nio.file.Files.writeString(neigh.resolve("mcast_solicit"), "1");
            java.nio.file.Files.writeString(neigh.resolve("retrans_time_ms"), "500");
            return null;
        });
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            ns.close();
            assertFalse(ns.exists(), "namespace " + ns.name + " deleted");
        }
    }

    private static InetSocketAddress unresolved() throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 77, 0, 2}), 9);
    }

    private static void awaitCompletions(ZerocopyCompletionTracker tracker) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tracker.outstandingSends() > 0 && System.nanoTime() < deadline) {
            tracker.onErrorQueueReadable();
            Thread.sleep(10); // a platform thread inside the namespace: polling is fine here
        }
    }

    @Test
    void theVethExistsOnlyInsideTheNamespace() throws Exception {
        assertNotEquals(0, PrivateNetns.run("ip", "link", "show", LINK).exit(), "the host must not see " + LINK);
        ns.must("link", "show", LINK);
    }

    /** On the epoll transport (MSG_ZEROCOPY) and the io_uring one (SENDMSG_ZC notifications), with the same tracker. */
    @ParameterizedTest
    @EnumSource(value = io.switchyard.io.Transport.class, names = {"NATIVE", "URING"})
    void sendsToAnUnresolvedNeighbourCompleteWithoutACopy(io.switchyard.io.Transport transport) throws Exception {
        if (transport == io.switchyard.io.Transport.URING) {
            var caps = io.switchyard.io.Capabilities.probe();
            org.junit.jupiter.api.Assumptions.assumeTrue(caps.available(io.switchyard.io.Capability.IO_URING),
                    () -> caps.reason(io.switchyard.io.Capability.IO_URING));
        }
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        ns.inside(() -> {
            try (var channel = UdpZerocopyChannel.open(UdpOptions.create().transport(transport).connect(unresolved()), 64)) {
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters, System::nanoTime);
                var batch = new PacketBatch(64);
                for (int i = 0; i < 4; i++) {
                    // A GSO train of MTU-size segments: a single datagram above the MTU would be
                    // fragmented with a software checksum, which the kernel always copies.
                    for (int s = 0; s < 8; s++) {
                        PacketBuffer b = pool.acquire();
                        b.window(0, 1400);
                        b.slot().set(ValueLayout.JAVA_BYTE, 0, (byte) i);
                        batch.add(b);
                    }
                    assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch), "counters " + channel.socket().counters());
                }
                assertEquals(4, tracker.outstandingSends(), "held while queued for the neighbour");
                // Closing now must not hand the buffers back: the packets still sit in the
                // neighbour queue, pinning these pages.
                assertEquals(4, tracker.close());
                assertEquals(32, pool.inUse());
                awaitCompletions(tracker);
                assertEquals(0, tracker.outstandingSends());
                assertEquals(0, pool.inUse(), "released once the kernel completed them");
                assertEquals(4, counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY), counters.toString());
                assertEquals(0, counters.get(ZerocopyCounter.COMPLETED_COPIED));
                assertTrue(tracker.zerocopyActive());
                assertEquals(0, tracker.close());
            }
            return null;
        });
    }

    @Test
    void aContiguous64KiBTrainCompletesWithoutACopy() throws Exception {
        // One 64 KiB slot cut into 46 x 1,400 B: pins its 16 pages, where 46 pooled MTU slots
        // would need 46 frags (more than MAX_SKB_FRAGS) and could not go zerocopy at all.
        MpmcBufferPool pool = leakCheck.large(4, counters);
        ns.inside(() -> {
            // Room for both trains in the send buffer while they wait for the neighbour.
            try (var channel = UdpZerocopyChannel.open(UdpOptions.create().sendBuffer(1 << 20).connect(unresolved()), 1)) {
                var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(), counters, System::nanoTime);
                var batch = new PacketBatch(1);
                for (int i = 0; i < 2; i++) {
                    assertTrue(batch.addTrain(pool.acquire().window(0, 46 * 1400), 1400));
                    assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch), "counters " + channel.socket().counters());
                }
                assertEquals(2, tracker.outstandingSends());
                assertEquals(2, channel.socket().counters().get(IoCounter.GSO_TRAINS),
                        () -> "both went as GSO trains: " + channel.socket().counters());
                assertEquals(0, channel.socket().counters().get(IoCounter.SEND_DROPPED));
                awaitCompletions(tracker);
                assertEquals(0, pool.inUse(), "released once the kernel completed them");
                assertEquals(2, counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY), counters.toString());
                assertEquals(0, counters.get(ZerocopyCounter.COMPLETED_COPIED));
            }
            return null;
        });
    }

    @Test
    void aCopyingSendTakenInPartCountsTheRest() throws Exception {
        // GSO off: a batch goes datagram by datagram. The neighbour queue keeps the first
        // datagrams charged to the socket, so an 8 KiB send buffer fills after a few and the
        // kernel takes only part of the batch. Before, the rest vanished as "sent".
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        ns.inside(() -> {
            for (boolean askZerocopy : new boolean[] {false, true}) {
                var own = CounterSet.striped(ZerocopyCounter.class);
                var config = askZerocopy ? ZerocopyConfig.defaults()
                        : ZerocopyConfig.defaults().withSizeThreshold(Integer.MAX_VALUE);
                try (var channel = UdpZerocopyChannel.open(UdpOptions.create().gso(false).sendBuffer(4096)
                        .connect(unresolved()), 64)) {
                    var tracker = new ZerocopyCompletionTracker(channel, config, own, System::nanoTime);
                    var batch = new PacketBatch(64);
                    for (int s = 0; s < 16; s++) {
                        batch.add(pool.acquire().window(0, 1400));
                    }
                    assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
                    long sent = channel.socket().counters().get(IoCounter.DATAGRAMS_SENT);
                    long unsent = own.get(ZerocopyCounter.UNSENT_DATAGRAMS);
                    assertTrue(sent > 0 && unsent > 0, "a partial send: sent " + sent + ", unsent " + unsent);
                    assertEquals(16, sent + unsent, "every datagram sent or counted (zerocopy asked: " + askZerocopy + ")");
                    assertEquals(0, pool.inUse(), "a copying send frees the buffers at once");
                    assertEquals(0, tracker.nextSendId(), "no zerocopy id was taken");
                }
            }
            return null;
        });
    }
}
