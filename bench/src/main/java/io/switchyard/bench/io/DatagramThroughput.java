package io.switchyard.bench.io;

import io.switchyard.io.Capabilities;
import io.switchyard.io.Datagrams;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.SockAddr;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.TransportException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
 * Loopback datagram throughput, counted at the receiver, A/B/C alternated within one run
 * (design.md "Measuring"): every round runs each variant once, in rotating order; the first round
 * is a discarded warm-up; medians and min..max of the measured rounds are printed, with the ratio
 * to the NIO baseline and the batch occupancy.
 *
 * <p>Receive side (100 B datagrams, 1/2/4 sender threads): the receiver is NIO (one syscall per
 * datagram), recvmmsg (batch 64), or recvmmsg + UDP_GRO (8 slots of 64 KiB). The senders are the
 * same for NIO and recvmmsg (native sendmmsg batches of 64); for GRO they send GSO trains of
 * 64, because loopback has no NAPI GRO: only a GSO train reaches a GRO socket coalesced. On two
 * shared cores the sender threads compete with the receiver, so a second table measures the
 * receiver alone: the time to drain a pre-filled receive queue ({@link #drainRound}).
 *
 * <p>Send side (1,400 B datagrams, one sender): NIO send per datagram vs sendmmsg (64) vs GSO
 * trains (46 x 1,400 = 64,400 B); the receiver is one native GRO socket for all three.
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... io.switchyard.bench.io.DatagramThroughput [roundSeconds] [rounds]}
 */
public final class DatagramThroughput {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    enum Rx { NIO, RECVMMSG, GRO }

    enum Tx { NIO, SENDMMSG, GSO }

    record Sample(double pps, double occupancy) {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        System.out.println("# DatagramThroughput " + LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, round " + seconds + " s, " + rounds + " measured rounds + 1 warm-up");
        System.out.print(Capabilities.probe());
        for (int senders : new int[] {1, 2, 4}) {
            Map<Rx, List<Sample>> results = new LinkedHashMap<>();
            for (int r = 0; r <= rounds; r++) {
                Rx[] order = rotate(Rx.values(), r);
                for (Rx rx : order) {
                    Sample s = receiveRound(rx, senders, seconds);
                    if (r > 0) {
                        results.computeIfAbsent(rx, k -> new ArrayList<>()).add(s);
                    }
                }
            }
            print("receive 100 B, " + senders + " sender(s)", results, Rx.NIO);
        }
        Map<Rx, List<Sample>> drain = new LinkedHashMap<>();
        for (int r = 0; r <= rounds; r++) {
            for (Rx rx : rotate(new Rx[] {Rx.NIO, Rx.RECVMMSG}, r)) {
                Sample s = drainRound(rx);
                if (r > 0) {
                    drain.computeIfAbsent(rx, k -> new ArrayList<>()).add(s);
                }
            }
        }
        print("drain a pre-filled queue, " + DRAIN_FILLS + " x " + DRAIN_FILL + " x 100 B (receiver alone)", drain, Rx.NIO);
        Map<Tx, List<Sample>> send = new LinkedHashMap<>();
        for (int r = 0; r <= rounds; r++) {
            for (Tx tx : rotate(Tx.values(), r)) {
                Sample s = sendRound(tx, seconds);
                if (r > 0) {
                    send.computeIfAbsent(tx, k -> new ArrayList<>()).add(s);
                }
            }
        }
        print("send 1400 B, 1 sender (counted at a GRO receiver)", send, Tx.NIO);
    }

    private static <E> E[] rotate(E[] values, int by) {
        E[] out = values.clone();
        for (int i = 0; i < values.length; i++) {
            out[i] = values[(i + by) % values.length];
        }
        return out;
    }

    private static <E extends Enum<E>> void print(String title, Map<E, List<Sample>> results, E baseline) {
        double base = median(results.get(baseline).stream().mapToDouble(Sample::pps).toArray());
        System.out.println("\n## " + title);
        System.out.println("| variant | median pps | min..max | ratio vs " + baseline.name().toLowerCase(Locale.ROOT)
                + " | batch occupancy |");
        System.out.println("|---|---|---|---|---|");
        for (var e : results.entrySet()) {
            double[] pps = e.getValue().stream().mapToDouble(Sample::pps).toArray();
            double[] occ = e.getValue().stream().mapToDouble(Sample::occupancy).toArray();
            double m = median(pps);
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %,.0f..%,.0f | %.2f | %.1f |%n",
                    e.getKey().name().toLowerCase(Locale.ROOT), m,
                    Arrays.stream(pps).min().orElse(0), Arrays.stream(pps).max().orElse(0), m / base, median(occ));
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Receives until closed; publishes the running count. */
    static final class Receiver implements Runnable {
        final UdpSocket socket;
        final RecvBatch batch;
        volatile long received;

        Receiver(UdpSocket socket, RecvBatch batch) {
            this.socket = socket;
            this.batch = batch;
        }

        @Override
        public void run() {
            long n = 0;
            try {
                while (true) {
                    int got = socket.tryReceive(batch);
                    if (got == 0) {
                        socket.awaitReadable();
                    } else {
                        n += got;
                        received = n;
                    }
                }
            } catch (TransportException closed) {
                // the round is over
            }
        }
    }

    /**
     * Senders in the receive rounds: sendmmsg batches of 64 for NIO and recvmmsg, GSO trains for
     * GRO (the only way to get coalesced buffers over loopback).
     */
    private static Tx senderKind(Rx rx) {
        return rx == Rx.GRO ? Tx.GSO : Tx.SENDMMSG;
    }

    /** Datagrams per fill in a drain round: small enough for NIO's queue, which cannot be forced past rmem_max. */
    static final int DRAIN_FILL = 8_000;

    /** Fills per drain round; only the drains are timed. */
    static final int DRAIN_FILLS = 12;

    /**
     * Receiver cost alone: fill the receive queue with {@link #DRAIN_FILL} 100 B datagrams while
     * the receiver is idle, time how fast it drains them (no sender competes for the CPU), and do
     * that {@link #DRAIN_FILLS} times. The fill is sized for the smaller queue: NIO's
     * {@code SO_RCVBUF} is capped at {@code net.core.rmem_max} (4 MiB here, about 10,000 such
     * datagrams), while the native socket forces a larger one; a fill that only one of them can
     * hold would time different amounts of work. A fill not received whole fails the round.
     */
    private static Sample drainRound(Rx rx) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(4 << 20)
                .transport(rx == Rx.NIO ? Transport.NIO : Transport.NATIVE);
        UdpOptions so = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).transport(Transport.NATIVE);
        try (UdpSocket rs = Datagrams.open(ro); UdpSocket ss = Datagrams.open(so);
             RecvBatch rb = new RecvBatch(64, 2048); SendBatch sb = new SendBatch(64);
             Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(100L * 64);
            SockAddr dest = SockAddr.of(rs.localAddress());
            long got = 0;
            long nanos = 0;
            for (int fill = 0; fill < DRAIN_FILLS; fill++) {
                for (int sent = 0; sent < DRAIN_FILL; sent += 64) {
                    sb.clear();
                    for (int i = 0; i < Math.min(64, DRAIN_FILL - sent); i++) {
                        sb.add(data, 100L * i, 100, dest);
                    }
                    ss.send(sb);
                }
                Thread.sleep(20);
                long drained = 0;
                long t0 = System.nanoTime();
                while (true) {
                    int n = rs.tryReceive(rb);
                    if (n == 0) {
                        break;
                    }
                    drained += n;
                }
                nanos += System.nanoTime() - t0;
                if (drained != DRAIN_FILL) {
                    throw new IllegalStateException(rx + " drained " + drained + " of " + DRAIN_FILL
                            + " (the receive queue did not hold the fill)");
                }
                got += drained;
            }
            return new Sample(got * 1e9 / nanos, rs.counters().averageReceiveBatch());
        }
    }

    private static Sample receiveRound(Rx rx, int senders, double seconds) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(8 << 20)
                .transport(rx == Rx.NIO ? Transport.NIO : Transport.NATIVE).gro(rx == Rx.GRO);
        try (UdpSocket rs = Datagrams.open(ro);
             RecvBatch rb = rx == Rx.GRO ? new RecvBatch(8, RecvBatch.GRO_SLOT_SIZE) : new RecvBatch(64, 2048)) {
            Receiver receiver = new Receiver(rs, rb);
            Thread rt = Thread.ofVirtual().start(receiver);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> st = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                st.add(Thread.ofPlatform().start(() -> blast(rs.localAddress(), 100, 64, senderKind(rx), stop)));
            }
            return measure(receiver, rs, seconds, stop, st, rt);
        }
    }

    private static Sample sendRound(Tx tx, double seconds) throws Exception {
        UdpOptions ro = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).receiveBuffer(8 << 20)
                .transport(Transport.NATIVE).gro(true);
        try (UdpSocket rs = Datagrams.open(ro); RecvBatch rb = new RecvBatch(8, RecvBatch.GRO_SLOT_SIZE)) {
            Receiver receiver = new Receiver(rs, rb);
            Thread rt = Thread.ofVirtual().start(receiver);
            AtomicBoolean stop = new AtomicBoolean();
            double[] occupancy = new double[1];
            Thread sender = Thread.ofPlatform().start(() -> occupancy[0] = blast(rs.localAddress(), 1400, tx == Tx.GSO ? 46 : 64, tx, stop));
            Sample s = measure(receiver, rs, seconds, stop, List.of(sender), rt);
            return new Sample(s.pps(), occupancy[0]);
        }
    }

    private static Sample measure(Receiver receiver, UdpSocket rs, double seconds, AtomicBoolean stop,
                                  List<Thread> senders, Thread rt) throws InterruptedException {
        Thread.sleep(200); // let the flows start
        long c0 = receiver.received;
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long c1 = receiver.received;
        long t1 = System.nanoTime();
        stop.set(true);
        for (Thread t : senders) {
            t.join();
        }
        rs.close();
        rt.join();
        double pps = (c1 - c0) * 1e9 / (t1 - t0);
        return new Sample(pps, rs.counters().averageReceiveBatch());
    }

    /** Sends until stopped; returns datagrams per send call. */
    private static double blast(InetSocketAddress to, int size, int batchSize, Tx tx, AtomicBoolean stop) {
        UdpOptions so = UdpOptions.create().bind(new InetSocketAddress(LO, 0)).sendBuffer(4 << 20)
                .transport(tx == Tx.NIO ? Transport.NIO : Transport.NATIVE);
        try (Arena arena = Arena.ofConfined(); UdpSocket s = Datagrams.open(so); SendBatch b = new SendBatch(batchSize)) {
            MemorySegment data = arena.allocate((long) size * batchSize);
            data.fill((byte) 0x5a);
            SockAddr dest = SockAddr.of(to);
            while (!stop.get()) {
                b.clear();
                for (int i = 0; i < batchSize; i++) {
                    b.add(data, (long) i * size, size, dest);
                }
                if (tx == Tx.GSO) {
                    s.sendTrain(b);
                } else {
                    s.send(b);
                }
            }
            return s.counters().averageSendBatch();
        } catch (TransportException e) {
            throw new IllegalStateException(e);
        }
    }
}
