package io.switchyard.io;

import io.switchyard.io.testing.UnsharedNetns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real zerocopy completion (code 0, not COPIED): in a private network namespace, a send over a
 * veth to a neighbour that never answers ARP is not copied; the kernel frees the held buffer
 * when resolution fails and the completion then arrives with code 0 (design.md). Runs a forked
 * JVM under {@code unshare -n} (needs root and iproute2; skipped otherwise, failed under CI).
 */
class ZeroCopyVethTest {
    @Test
    @Timeout(90)
    void sendOverVethToAnUnresolvedNeighbourCompletesWithoutCopy() throws Exception {
        UnsharedNetns.runMain(ZeroCopyVethTest.class, "ip link set lo up && ip link add sy0 type veth peer name sy1 && "
                + "ip addr add 10.77.0.1/24 dev sy0 && ip link set sy0 up && ip link set sy1 up", 80);
    }

    /** Inside the namespace: one zerocopy send, then wait for its completion and check the code. */
    public static void main(String[] args) throws Exception {
        try (UdpSocket s = Datagrams.open(UdpOptions.create()
                .bind(new InetSocketAddress(InetAddress.getByName("10.77.0.1"), 0)).zeroCopy(true).transport(Transport.NATIVE));
             SendBatch b = new SendBatch(1); Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(1200);
            b.add(data, 0, 1200, SockAddr.of(new InetSocketAddress(InetAddress.getByName("10.77.0.2"), 9)));
            int n = s.trySendZeroCopy(b);
            if (n != 1 || s.zeroCopySends() != 1) {
                System.out.println("send returned " + n);
                System.exit(3);
            }
            AtomicInteger code = new AtomicInteger(-1);
            AtomicInteger origin = new AtomicInteger(-1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (code.get() < 0 && System.nanoTime() < deadline) {
                if (s.readErrorQueue((o, errno, c, info, d) -> {
                    if (o == io.switchyard.io.linux.Linux.SO_EE_ORIGIN_ZEROCOPY) {
                        origin.set(o);
                        code.set(c);
                    }
                }) == 0) {
                    Thread.sleep(50); // platform main thread: polling is fine here
                }
            }
            System.out.println("completion origin=" + origin + " code=" + code);
            System.exit(code.get() == 0 ? 0 : 1);
        }
    }
}
