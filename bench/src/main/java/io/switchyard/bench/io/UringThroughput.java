package io.switchyard.bench.io;

import io.switchyard.io.Capabilities;
import io.switchyard.io.Capability;
import io.switchyard.io.Datagrams;
import io.switchyard.io.IoCounter;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.SockAddr;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.TransportException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * io_uring against the epoll transport on loopback, in one run (design.md "Measuring"): every
 * table alternates its two variants within each round (A,B then B,A, ...), the first round is a
 * discarded warm-up, and the table shows the median and min..max of the measured rounds, the
 * process CPU time per datagram, and the batch occupancy. Everything is counted at the receiver.
 *
 * <ul>
 *   <li>receive, 100 B and 1,400 B, one sender thread (epoll-transport sendmmsg, batches of 64):
 *       recvmmsg (batch 64) vs io_uring multishot recvmsg (batch 64, 256 provided buffers);
 *       occupancy = datagrams per receive call.</li>
 *   <li>drain a pre-filled receive queue (the receiver alone): the same two.</li>
 *   <li>send, 100 B and 1,400 B, batches of 64: sendmmsg vs io_uring linked SENDMSG chains;
 *       occupancy = datagrams per send call; the receiver is the same recvmmsg socket.</li>
 *   <li>send GSO trains of 46 x 1,400 B: sendmsg(UDP_SEGMENT) on epoll vs the same through
 *       io_uring, counted at a GRO receiver (the only way to see a train whole on loopback).</li>
 * </ul>
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... io.switchyard.bench.io.UringThroughput [roundSeconds] [rounds] [title filter]}
 */
public final class UringThroughput {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    record Sample(double pps, double cpuNsPerDatagram, double occupancy) {}

    interface Round {
        Sample run(Transport variant) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        only = args.length > 2 ? args[2] : "";
        System.out.println("# UringThroughput " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, round " + seconds + " s, " + rounds + " measured rounds + 1 warm-up, Linux "
                + System.getProperty("os.version"));
        Capabilities caps = Capabilities.probe();
        if (!caps.available(Capability.IO_URING)) {
            System.out.println("io_uring unavailable: " + caps.reason(Capability.IO_URING));
            return;
        }
        table("receive 100 B, 1 sender", rounds, t -> receiveRound(t, 100, seconds), "recvmmsg");
        table("receive 1400 B, 1 sender", rounds, t -> receiveRound(t, 1400, seconds), "recvmmsg");
        table("drain a pre-filled queue of 100,000 x 100 B (receiver alone)", rounds, t -> drainRound(t, 100, 100_000), "recvmmsg");
        table("drain a pre-filled queue of 20,000 x 1400 B (receiver alone)", rounds, t -> drainRound(t, 1400, 20_000), "recvmmsg");
        table("send 100 B, batches of 64 (counted at a recvmmsg receiver)", rounds, t -> sendRound(t, 100, false, seconds), "sendmmsg");
        table("send 1400 B, batches of 64 (counted at a recvmmsg receiver)", rounds, t -> sendRound(t, 1400, false, seconds), "sendmmsg");
        table("send GSO trains 46 x 1400 B (counted at a GRO receiver)", rounds, t -> sendRound(t, 1400, true, seconds), "gso");
    }

    /** Only tables whose title contains this (third argument), for re-running one table. */
    private static String only = "";

    private static void table(String title, int rounds, Round round, String nativeName) throws Exception {
        if (!title.contains(only)) {
            return;
        }
        Transport[] variants = {Transport.NATIVE, Transport.URING};
        Map<Transport, List<Sample>> results = new LinkedHashMap<>();
        for (int r = 0; r <= rounds; r++) {
            for (int k = 0; k < variants.length; k++) {
                Transport t = variants[(k + r) % variants.length];
                Sample s = round.run(t);
                if (r > 0) {
                    results.computeIfAbsent(t, x -> new ArrayList<>()).add(s);
                }
            }
        }
        double base = DatagramThroughput.median(results.get(Transport.NATIVE).stream().mapToDouble(Sample::pps).toArray());
        System.out.println("\n## " + title);
        System.out.println("| variant | median pps | min..max | ratio vs " + nativeName
                + " | CPU ns/datagram (median) | batch occupancy |");
        System.out.println("|---|---|---|---|---|---|");
        for (Transport t : variants) {
            List<Sample> l = results.get(t);
            double[] pps = l.stream().mapToDouble(Sample::pps).toArray();
            double m = DatagramThroughput.median(pps);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f..%,.0f | %.2f | %,.0f | %.1f |%n",
                    t == Transport.NATIVE ? nativeName : "io_uring", m,
                    Arrays.stream(pps).min().orElse(0), Arrays.stream(pps).max().orElse(0), m / base,
                    DatagramThroughput.median(l.stream().mapToDouble(Sample::cpuNsPerDatagram).toArray()),
                    DatagramThroughput.median(l.stream().mapToDouble(Sample::occupancy).toArray()));
        }
    }

    private static Sample receiveRound(Transport rx, int size, double seconds) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(8 << 20).transport(rx);
        try (UdpSocket rs = Datagrams.open(ro); RecvBatch rb = new RecvBatch(64, 2048)) {
            DatagramThroughput.Receiver receiver = new DatagramThroughput.Receiver(rs, rb);
            Thread rt = Thread.ofVirtual().start(receiver);
            AtomicBoolean stop = new AtomicBoolean();
            Thread sender = Thread.ofPlatform().start(() -> blast(rs.localAddress(), size, 64, Transport.NATIVE, false, stop));
            Sample s = measure(receiver, rs, seconds, stop, sender, rt);
            return new Sample(s.pps(), s.cpuNsPerDatagram(), rs.counters().averageReceiveBatch());
        }
    }

    private static Sample drainRound(Transport rx, int size, int count) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(256 << 20).transport(rx);
        UdpOptions so = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).transport(Transport.NATIVE);
        try (UdpSocket rs = Datagrams.open(ro); UdpSocket ss = Datagrams.open(so);
             RecvBatch rb = new RecvBatch(64, 2048); SendBatch sb = new SendBatch(64);
             Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate((long) size * 64);
            SockAddr dest = SockAddr.of(rs.localAddress());
            for (int sent = 0; sent < count; sent += 64) {
                sb.clear();
                for (int i = 0; i < 64; i++) {
                    sb.add(data, (long) size * i, size, dest);
                }
                ss.send(sb);
            }
            Thread.sleep(50);
            long got = 0;
            long cpu0 = OS.getProcessCpuTime();
            long t0 = System.nanoTime();
            int idle = 0;
            while (idle < 3) {
                int n = rs.tryReceive(rb);
                if (n == 0) {
                    idle++; // io_uring may have a completion in flight: look twice more
                    Thread.onSpinWait();
                    continue;
                }
                idle = 0;
                got += n;
            }
            long t1 = System.nanoTime();
            long cpu1 = OS.getProcessCpuTime();
            if (got < count * 0.99) {
                System.out.println("  (" + rx + " drain saw only " + got + " of " + count + ": " + rs.counters() + ")");
            }
            return new Sample(got * 1e9 / (t1 - t0), (cpu1 - cpu0) / (double) Math.max(got, 1),
                    rs.counters().averageReceiveBatch());
        }
    }

    private static Sample sendRound(Transport tx, int size, boolean gso, double seconds) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(8 << 20)
                .transport(Transport.NATIVE).gro(gso);
        try (UdpSocket rs = Datagrams.open(ro);
             RecvBatch rb = gso ? new RecvBatch(8, RecvBatch.GRO_SLOT_SIZE) : new RecvBatch(64, 2048)) {
            DatagramThroughput.Receiver receiver = new DatagramThroughput.Receiver(rs, rb);
            Thread rt = Thread.ofVirtual().start(receiver);
            AtomicBoolean stop = new AtomicBoolean();
            double[] occupancy = new double[1];
            Thread sender = Thread.ofPlatform().start(() ->
                    occupancy[0] = blast(rs.localAddress(), size, gso ? 46 : 64, tx, gso, stop));
            Sample s = measure(receiver, rs, seconds, stop, sender, rt);
            return new Sample(s.pps(), s.cpuNsPerDatagram(), occupancy[0]);
        }
    }

    private static Sample measure(DatagramThroughput.Receiver receiver, UdpSocket rs, double seconds, AtomicBoolean stop,
                                  Thread sender, Thread rt) throws InterruptedException {
        Thread.sleep(200); // let the flow start
        long c0 = receiver.received;
        long cpu0 = OS.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long c1 = receiver.received;
        long cpu1 = OS.getProcessCpuTime();
        long t1 = System.nanoTime();
        stop.set(true);
        sender.join();
        rs.close();
        rt.join();
        long n = Math.max(c1 - c0, 1);
        return new Sample(n * 1e9 / (t1 - t0), (cpu1 - cpu0) / (double) n, 0);
    }

    /** Sends until stopped; returns datagrams per send call. */
    private static double blast(InetSocketAddress to, int size, int batchSize, Transport tx, boolean gso, AtomicBoolean stop) {
        UdpOptions so = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).sendBuffer(4 << 20).transport(tx);
        try (Arena arena = Arena.ofConfined(); UdpSocket s = Datagrams.open(so); SendBatch b = new SendBatch(batchSize)) {
            MemorySegment data = arena.allocate((long) size * batchSize);
            data.fill((byte) 0x5a);
            SockAddr dest = SockAddr.of(to);
            while (!stop.get()) {
                b.clear();
                for (int i = 0; i < batchSize; i++) {
                    b.add(data, (long) i * size, size, dest);
                }
                if (gso) {
                    s.sendTrain(b);
                } else {
                    s.send(b);
                }
            }
            if (gso && s.counters().get(IoCounter.GSO_TRAINS) == 0) {
                throw new IllegalStateException("no GSO train went out on " + tx);
            }
            return s.counters().averageSendBatch();
        } catch (TransportException e) {
            throw new IllegalStateException(e);
        }
    }
}
