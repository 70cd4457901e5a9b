package io.switchyard.bench.zerocopy;

import io.switchyard.counters.CounterSet;
import io.switchyard.io.NetworkNamespace;
import io.switchyard.io.UdpOptions;
import io.switchyard.zerocopy.MpmcBufferPool;
import io.switchyard.zerocopy.PacketBatch;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.SendOutcome;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import io.switchyard.zerocopy.ZerocopyCompletionTracker;
import io.switchyard.zerocopy.ZerocopyConfig;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * GSO trains with MSG_ZEROCOPY forced on (the back-off disabled: {@code maxCopiedRatio} 1.0)
 * and off (size threshold above the train), through the product path
 * ({@link ZerocopyCompletionTracker} over {@link UdpZerocopyChannel}), one {@code sendmsg} per
 * train, in alternating rounds. Two train shapes:
 * <ul>
 *   <li>{@code slot64k}: one 64 KiB pool slot cut into 46 x 1,400 B = 64,400 B with
 *       {@link PacketBatch#addTrain} (adjacent iovecs, so a zerocopy send pins the slot's 16
 *       pages). The shape issue 4 asks for.</li>
 *   <li>{@code pooled17}: 17 pooled 2 KiB slots of 1,400 B (23,800 B), the largest train of
 *       separate slots that can go zerocopy (one page frag per slot, MAX_SKB_FRAGS 17).</li>
 * </ul>
 * Two targets:
 * <ul>
 *   <li>{@code loopback}: a bound UDP socket on 127.0.0.1 that nobody reads (its queue overflows
 *       and the kernel drops): local delivery, where the kernel copies zerocopy pages anyway.</li>
 *   <li>{@code veth}: a network namespace the bench creates, holding a veth pair: the near end
 *       addressed with a static neighbour entry for the far end, the far end up without an
 *       address, so every train leaves through the veth and is dropped there without local
 *       delivery. The sending thread enters the namespace ({@code setns}); the host's network
 *       is not touched. Needs root and iproute2 (skipped with the reason otherwise).</li>
 * </ul>
 * Per case and round: throughput, the sending thread's CPU time per GB sent
 * ({@link ThreadMXBean#getCurrentThreadCpuTime}, user + system of this thread; softirq work
 * the kernel charges elsewhere is not in it), and the completion verdicts (copy ratio = sends
 * completed COPIED / all completed). Each case waits for its outstanding completions before
 * the next starts. Run:
 * {@code java --enable-native-access=ALL-UNNAMED -cp <classpath> io.switchyard.bench.zerocopy.GsoZerocopyBench [rounds] [seconds] [shapes]},
 * shapes a comma list of {@code slot64k,pooled17} (default both).
 */
public final class GsoZerocopyBench {
    static final int SEGMENT = 1400;
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** A train shape: how a batch is filled. */
    enum Shape {
        SLOT64K("slot64k", 46), POOLED17("pooled17", 17);

        final String label;
        final int segments;

        Shape(String label, int segments) {
            this.label = label;
            this.segments = segments;
        }

        int bytes() {
            return segments * SEGMENT;
        }
    }

    record Result(String target, Shape shape, String mode, int round, long bytes, long sends, long wallNanos,
                  long cpuNanos, long completedZerocopy, long completedCopied, long windowFull, long zcSends,
                  long copySends) {
        double gbitPerSecond() {
            return bytes * 8.0 / wallNanos;
        }

        double cpuSecondsPerGb() {
            return (cpuNanos / 1e9) / (bytes / 1e9);
        }

        String copyRatio() {
            long all = completedZerocopy + completedCopied;
            return all == 0 ? "-" : String.format(Locale.ROOT, "%.3f", completedCopied / (double) all);
        }
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        List<Shape> shapes = new ArrayList<>();
        for (String s : (args.length > 2 ? args[2] : "slot64k,pooled17").split(",")) {
            shapes.add(Shape.valueOf(s.strip().toUpperCase(Locale.ROOT)));
        }
        List<Result> results = new ArrayList<>();
        var poolCounters = CounterSet.striped(ZerocopyCounter.class);
        try (var mtu = MpmcBufferPool.mtu(Shape.POOLED17.segments * 512, false, poolCounters);
             var large = MpmcBufferPool.large(512, false, poolCounters);
             var sink = java.nio.channels.DatagramChannel.open()) {
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            runTarget("loopback", (InetSocketAddress) sink.getLocalAddress(), shapes, mtu, large, rounds, seconds, results);
            String reason = Veth.unavailableReason();
            if (reason != null) {
                System.out.println("veth: skipped: " + reason);
            } else {
                try (Veth veth = Veth.create()) {
                    veth.inside(() -> {
                        runTarget("veth", veth.peer(), shapes, mtu, large, rounds, seconds, results);
                        return null;
                    });
                }
            }
        }
        System.out.println();
        System.out.println("target   shape     mode      round  Gbit/s  cpu-s/GB  copied/completed  zc-sends copy-sends window-full");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-8s %-9s %-9s %5d %7.2f %9.3f  %16s %9d %10d %11d%n", r.target, r.shape.label,
                    r.mode, r.round, r.gbitPerSecond(), r.cpuSecondsPerGb(), r.copyRatio(), r.zcSends, r.copySends,
                    r.windowFull);
        }
        System.out.println();
        for (String target : new String[] {"loopback", "veth"}) {
            for (Shape shape : shapes) {
                List<Double> cpu = new ArrayList<>();
                List<Double> thr = new ArrayList<>();
                List<Double> zcCpu = new ArrayList<>();
                List<Double> copyCpu = new ArrayList<>();
                List<Double> zcThr = new ArrayList<>();
                List<Double> copyThr = new ArrayList<>();
                for (int round = 1; round < rounds; round++) { // round 0 is the warm-up, discarded
                    Result zc = find(results, target, shape, "zerocopy", round);
                    Result copy = find(results, target, shape, "copy", round);
                    if (zc != null && copy != null) {
                        cpu.add(zc.cpuSecondsPerGb() / copy.cpuSecondsPerGb());
                        thr.add(zc.gbitPerSecond() / copy.gbitPerSecond());
                        zcCpu.add(zc.cpuSecondsPerGb());
                        copyCpu.add(copy.cpuSecondsPerGb());
                        zcThr.add(zc.gbitPerSecond());
                        copyThr.add(copy.gbitPerSecond());
                    }
                }
                if (!cpu.isEmpty()) {
                    System.out.printf(Locale.ROOT, "%s %s (%d rounds after warm-up), median (min..max): zerocopy/copy CPU per GB %s,"
                                    + " throughput %s; CPU-s/GB zerocopy %s, copy %s; Gbit/s zerocopy %s, copy %s%n",
                            target, shape.label, cpu.size(), summary(cpu), summary(thr), summary(zcCpu), summary(copyCpu),
                            summary(zcThr), summary(copyThr));
                }
            }
        }
    }

    private static Result find(List<Result> results, String target, Shape shape, String mode, int round) {
        for (Result r : results) {
            if (r.target.equals(target) && r.shape == shape && r.mode.equals(mode) && r.round == round) {
                return r;
            }
        }
        return null;
    }

    private static String summary(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median, sorted.get(0), sorted.get(n - 1));
    }

    private static void runTarget(String target, InetSocketAddress peer, List<Shape> shapes, MpmcBufferPool mtu,
                                  MpmcBufferPool large, int rounds, double seconds, List<Result> out) throws Exception {
        for (int round = 0; round < rounds; round++) {
            // Alternate which mode goes first, and rotate the shapes, round by round.
            for (int k = 0; k < shapes.size(); k++) {
                Shape shape = shapes.get((k + round) % shapes.size());
                boolean zcFirst = round % 2 == 0;
                for (int m = 0; m < 2; m++) {
                    boolean zerocopy = (m == 0) == zcFirst;
                    out.add(runCase(target, peer, shape, shape == Shape.SLOT64K ? large : mtu, zerocopy, round, seconds));
                }
            }
        }
    }

    private static Result runCase(String target, InetSocketAddress peer, Shape shape, MpmcBufferPool pool,
                                  boolean zerocopy, int round, double seconds) throws Exception {
        var counters = CounterSet.striped(ZerocopyCounter.class);
        var config = ZerocopyConfig.defaults().withMaxOutstandingSends(256)
                .withBackoff(64, 1.0, Duration.ofSeconds(1), Duration.ofSeconds(60));
        if (!zerocopy) {
            config = config.withSizeThreshold(Integer.MAX_VALUE);
        }
        try (var channel = UdpZerocopyChannel.open(UdpOptions.create().sendBuffer(4 << 20).connect(peer), shape.segments)) {
            if (zerocopy && !channel.enableZerocopy()) {
                throw new IllegalStateException("SO_ZEROCOPY unavailable on this kernel/transport");
            }
            var tracker = new ZerocopyCompletionTracker(channel, config, counters, System::nanoTime);
            var batch = new PacketBatch(shape.segments);
            long bytes = 0;
            long sends = 0;
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                if (batch.isEmpty() && !fill(shape, pool, batch)) {
                    channel.awaitErrorQueue(); // all buffers wait for completions
                    tracker.onErrorQueueReadable();
                    continue;
                }
                long n = batch.byteCount();
                SendOutcome outcome = tracker.send(batch);
                if (outcome == SendOutcome.WOULD_BLOCK) {
                    channel.socket().awaitWritable();
                } else if (outcome != SendOutcome.DROPPED) {
                    bytes += n;
                    sends++;
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (tracker.outstandingSends() > 0 && System.nanoTime() < deadline) {
                tracker.onErrorQueueReadable(); // the completions are part of the cost
                Thread.onSpinWait();
            }
            long wall = System.nanoTime() - t0;
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            batch.releaseAll();
            if (Boolean.getBoolean("bench.debug")) {
                System.out.println(target + " " + shape.label + " " + zerocopy + " gso=" + channel.socket().gsoEnabled()
                        + " io=" + channel.socket().counters() + " zcSends=" + channel.socket().zeroCopySends()
                        + " zc=" + counters);
            }
            tracker.close();
            channel.close();
            tracker.socketClosed();
            if (counters.get(ZerocopyCounter.SEND_FAILED) > 0 || counters.get(ZerocopyCounter.UNSENT_DATAGRAMS) > 0) {
                System.out.println("warning: " + target + " " + shape.label + " " + (zerocopy ? "zerocopy" : "copy")
                        + " round " + round + ": " + counters);
            }
            return new Result(target, shape, zerocopy ? "zerocopy" : "copy", round, bytes, sends, wall, cpu,
                    counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY), counters.get(ZerocopyCounter.COMPLETED_COPIED),
                    counters.get(ZerocopyCounter.WINDOW_FULL_FALLBACK), counters.get(ZerocopyCounter.ZEROCOPY_SENDS),
                    counters.get(ZerocopyCounter.COPY_SENDS));
        }
    }

    private static boolean fill(Shape shape, MpmcBufferPool pool, PacketBatch batch) {
        if (shape == Shape.SLOT64K) {
            PacketBuffer b = pool.acquire();
            return b != null && batch.addTrain(b.window(0, shape.bytes()), SEGMENT);
        }
        for (int i = 0; i < shape.segments; i++) {
            PacketBuffer b = pool.acquire();
            if (b == null) {
                batch.releaseAll();
                return false;
            }
            batch.add(b.window(0, SEGMENT));
        }
        return true;
    }

    /**
     * A network namespace holding a veth pair: {@code zcb0} (10.252.0.1/30, a permanent
     * neighbour entry for .2) and {@code zcb1} (up, no address). Deleting the namespace deletes both.
     */
    static final class Veth implements AutoCloseable {
        final String ns;

        private Veth(String ns) {
            this.ns = ns;
        }

        static String unavailableReason() throws Exception {
            if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
                return "not Linux";
            }
            if (run("ip", "netns", "list") != 0) {
                return "iproute2 'ip netns' unavailable or not root";
            }
            return null;
        }

        static Veth create() throws Exception {
            var veth = new Veth("zcb-" + ProcessHandle.current().pid());
            check(run("ip", "netns", "add", veth.ns));
            try {
                veth.ip("link", "set", "lo", "up");
                veth.ip("link", "add", "zcb0", "type", "veth", "peer", "name", "zcb1");
                veth.ip("addr", "add", "10.252.0.1/30", "dev", "zcb0");
                veth.ip("link", "set", "zcb0", "up");
                veth.ip("link", "set", "zcb1", "up");
                // A static neighbour: frames go out at once, no ARP (the far end has no address).
                veth.ip("neigh", "replace", "10.252.0.2", "lladdr", "02:00:00:00:00:02", "nud", "permanent", "dev", "zcb0");
            } catch (Exception e) {
                veth.close();
                throw e;
            }
            return veth;
        }

        InetSocketAddress peer() throws Exception {
            return new InetSocketAddress(InetAddress.getByName("10.252.0.2"), 9);
        }

        private void ip(String... args) throws Exception {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "ip";
            cmd[1] = "-n";
            cmd[2] = ns;
            System.arraycopy(args, 0, cmd, 3, args.length);
            check(run(cmd));
        }

        /** Runs {@code task} on a platform thread that has entered the namespace (setns). */
        <T> T inside(Callable<T> task) throws Exception {
            return NetworkNamespace.call(ns, task);
        }

        private static void check(int rc) {
            if (rc != 0) {
                throw new IllegalStateException("ip command failed: " + rc);
            }
        }

        static int run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            int rc = p.waitFor();
            if (rc != 0) {
                System.err.println(String.join(" ", command) + ": " + new String(output).trim());
            }
            return rc;
        }

        @Override
        public void close() throws Exception {
            run("ip", "netns", "del", ns);
        }
    }
}
