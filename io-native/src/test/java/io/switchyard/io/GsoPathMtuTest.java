package io.switchyard.io;

import io.switchyard.io.testing.UnsharedNetns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GSO trains against a real path MTU, as the hub meets it forwarding to an IPv6 client: in a
 * private network namespace whose loopback has a 1,500-byte MTU, a train of 1,456-byte segments
 * to {@code ::1} needs 1,504-byte packets, which the kernel may not segment (EMSGSIZE), while the
 * same datagrams sent one by one go out fragmented. Every transport must deliver all of them with
 * GSO still on; 1,452-byte segments (1,500 bytes with the headers) still go as a GSO train, and
 * over IPv4 (20 bytes less header) 1,472 bytes do. Runs a forked JVM under {@code unshare -n};
 * needs root and iproute2, and fails rather than skips under {@code CI=true}.
 */
class GsoPathMtuTest {
    @Test
    @Timeout(90)
    void trainsTooBigForThePathAreResentSinglyWithNothingLost() throws Exception {
        UnsharedNetns.runMain(GsoPathMtuTest.class, "ip link set lo mtu 1500 up", 80);
    }

    /** Inside the namespace: each transport, each case; prints what failed and exits non-zero. */
    public static void main(String[] args) throws Exception {
        List<Transport> transports = new ArrayList<>(List.of(Transport.NATIVE));
        if (Capabilities.probe().available(Capability.IO_URING)) {
            transports.add(Transport.URING);
        }
        InetAddress v6 = InetAddress.getByName("::1");
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        List<String> failures = new ArrayList<>();
        for (Transport t : transports) {
            check(failures, t, v6, 1456, 1, 0);  // 1,504 bytes on the wire: resent singly, fragmented
            check(failures, t, v6, 1452, 0, 1);  // exactly 1,500: a GSO train
            check(failures, t, v4, 1472, 0, 1);  // IPv4 to a dual-stack socket: 1,500
            check(failures, t, v4, 1480, 1, 0);  // 1,508
        }
        failures.forEach(System.out::println);
        System.out.println(failures.isEmpty() ? "ALL OK" : failures.size() + " FAILED");
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static void check(List<String> failures, Transport t, InetAddress to, int segment, long tooBig, long trains)
            throws Exception {
        String what = t + " to " + to.getHostAddress() + " with " + segment + "-byte segments: ";
        int segments = 4;
        try (UdpSocket tx = Datagrams.open(UdpOptions.create().transport(t)
                        .bind(new InetSocketAddress(InetAddress.getByName("::"), 0)));
             UdpSocket rx = Datagrams.open(UdpOptions.create().transport(Transport.NATIVE).gro(false)
                        .bind(new InetSocketAddress(to, 0)));
             SendBatch sb = new SendBatch(segments);
             RecvBatch rb = new RecvBatch(16, 2048);
             Arena arena = Arena.ofConfined()) {
            if (!tx.gsoEnabled()) {
                failures.add(what + "GSO is not available here");
                return;
            }
            MemorySegment data = arena.allocate((long) segment * segments);
            for (int i = 0; i < segments; i++) {
                data.asSlice((long) i * segment, segment).fill((byte) (i + 1));
            }
            SockAddr dest = SockAddr.of(rx.localAddress());
            for (int i = 0; i < segments; i++) {
                sb.add(data, (long) i * segment, segment, dest);
            }
            while (sb.remaining() > 0) {
                if (tx.trySendTrain(sb) == 0) {
                    tx.awaitWritable();
                }
            }
            int got = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got < segments && System.nanoTime() < deadline) {
                int n = rx.tryReceive(rb);
                for (int i = 0; i < n; i++) {
                    int len = rb.length(i);
                    byte first = rb.buffer(i).get(ValueLayout.JAVA_BYTE, rb.offset(i));
                    if (len != segment || first != (byte) (got + 1)) {
                        failures.add(what + "datagram " + got + " arrived as " + len + " bytes starting " + first);
                    }
                    got++;
                }
                if (n == 0) {
                    Thread.sleep(5);
                }
            }
            if (got != segments) {
                failures.add(what + got + " of " + segments + " datagrams arrived; " + tx.counters());
            }
            if (sb.refused() != 0 || !tx.gsoEnabled() || tx.counters().get(IoCounter.GSO_TOO_BIG) != tooBig
                    || tx.counters().get(IoCounter.GSO_TRAINS) != trains) {
                failures.add(what + "expected " + tooBig + " too-big trains and " + trains + " GSO trains, GSO on, none refused; "
                        + "refused " + sb.refused() + ", GSO " + tx.gsoEnabled() + ", " + tx.counters());
            }
        }
    }
}
