package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 1,000 virtual threads, each waiting on its own socket, on a scheduler with exactly 2 carriers
 * (and no compensation): if a waiting thread pinned its carrier, at most two would ever run and
 * the rest would never see their datagram. Runs in a forked JVM so the scheduler flags apply.
 */
class ManyWaitersTest {
    static final int SOCKETS = 1000;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NATIVE", "NIO"})
    @Timeout(120)
    void thousandWaitersOnTwoCarriersAllReceive(Transport transport) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2",
                "-cp", System.getProperty("java.class.path"),
                ManyWaitersTest.class.getName(), transport.name())
                .redirectErrorStream(true)
                .start();
        String out;
        boolean done = p.waitFor(100, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, done ? p.exitValue() : -1, out);
    }

    /** The forked JVM: open, wait on all, send one datagram to each, expect every waiter to wake. */
    public static void main(String[] args) throws Exception {
        Transport transport = Transport.valueOf(args[0]);
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<UdpSocket> sockets = new ArrayList<>();
        CountDownLatch parked = new CountDownLatch(SOCKETS);
        CountDownLatch received = new CountDownLatch(SOCKETS);
        for (int i = 0; i < SOCKETS; i++) {
            sockets.add(Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(lo, 0)).transport(transport)));
        }
        for (UdpSocket s : sockets) {
            Thread.ofVirtual().start(() -> {
                try (RecvBatch b = new RecvBatch(1, 64)) {
                    parked.countDown();
                    if (s.receive(b) == 1) {
                        received.countDown();
                    }
                } catch (IOException e) {
                    e.printStackTrace();
                }
            });
        }
        if (!parked.await(60, TimeUnit.SECONDS)) {
            System.out.println("threads did not start");
            System.exit(2);
        }
        Thread.sleep(200); // let them reach the park
        try (DatagramChannel tx = DatagramChannel.open()) {
            for (UdpSocket s : sockets) {
                tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), s.localAddress());
            }
        }
        boolean all = received.await(60, TimeUnit.SECONDS);
        System.out.println(transport + ": " + (SOCKETS - received.getCount()) + " of " + SOCKETS + " received");
        System.exit(all ? 0 : 1);
    }
}
