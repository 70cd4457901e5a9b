package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real zerocopy completion (code 0): GSO trains leave through a veth whose peer address has no
 * neighbour, so the packets wait in the neighbour queue and are dropped when resolution fails,
 * without ever being copied; a close meanwhile keeps the buffers until then. Needs root and iproute2 (skipped otherwise); the veth pair gets a
 * name and a /30 unique to this JVM and is deleted afterwards. Runs on the epoll transport
 * (MSG_ZEROCOPY) and the io_uring one (SENDMSG_ZC notifications), with the same tracker.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealZerocopyCompletionTest {
    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final ZerocopyCounters counters = new ZerocopyCounters();
    private final long pid = ProcessHandle.current().pid();
    private final String link = "zc" + (pid % 100_000);
    private final int subnet = (int) (pid % 250) + 1;
    private boolean created;

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @BeforeEach
    void createVeth() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")));
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a veth");
        created = run("ip", "link", "add", link, "type", "veth", "peer", "name", link + "p") == 0;
        assumeTrue(created, "veth creation refused");
        assertEquals(0, run("ip", "addr", "add", "10.251." + subnet + ".1/30", "dev", link));
        assertEquals(0, run("ip", "link", "set", link, "up"));
        assertEquals(0, run("ip", "link", "set", link + "p", "up"));
    }

    @AfterEach
    void deleteVeth() throws Exception {
        if (created) {
            run("ip", "link", "del", link);
        }
    }

    @ParameterizedTest
    @EnumSource(value = io.switchyard.io.Transport.class, names = {"NATIVE", "URING"})
    void sendsToAnUnresolvedNeighbourCompleteWithoutACopy(io.switchyard.io.Transport transport) throws Throwable {
        if (transport == io.switchyard.io.Transport.URING) {
            var caps = io.switchyard.io.Capabilities.probe();
            assumeTrue(caps.available(io.switchyard.io.Capability.IO_URING), () -> caps.reason(io.switchyard.io.Capability.IO_URING));
        }
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        var address = new byte[] {10, (byte) 251, (byte) subnet, 2};
        try (var channel = UdpZerocopyChannel.open(io.switchyard.io.UdpOptions.create().transport(transport).connect(
                new java.net.InetSocketAddress(java.net.InetAddress.getByAddress(address), 9)), 64)) {
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
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (tracker.outstandingSends() > 0 && System.nanoTime() < deadline) {
                tracker.onErrorQueueReadable();
                Thread.sleep(10);
            }
            assertEquals(0, tracker.outstandingSends());
            assertEquals(0, pool.inUse(), "released once the kernel completed them");
            assertEquals(4, counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY), counters.toString());
            assertEquals(0, counters.get(ZerocopyCounter.COMPLETED_COPIED));
            assertTrue(tracker.zerocopyActive());
            assertEquals(transport == io.switchyard.io.Transport.URING ? "linux-uring" : "linux-native",
                    channel.socket().transportName());
            assertEquals(0, tracker.close());
        }
    }
}
