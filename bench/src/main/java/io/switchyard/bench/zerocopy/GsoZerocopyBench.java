package io.switchyard.bench.zerocopy;

import io.switchyard.io.UdpOptions;
import io.switchyard.zerocopy.MpmcBufferPool;
import io.switchyard.zerocopy.PacketBatch;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.SendOutcome;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import io.switchyard.zerocopy.ZerocopyCompletionTracker;
import io.switchyard.zerocopy.ZerocopyConfig;
import io.switchyard.zerocopy.ZerocopyCounter;
import io.switchyard.zerocopy.ZerocopyCounters;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * GSO trains of pooled 1,400-byte segments, one {@code sendmsg} each, through the product path ({@link ZerocopyCompletionTracker} over {@link UdpZerocopyChannel}),
 * with MSG_ZEROCOPY forced on (the back-off disabled: {@code maxCopiedRatio} 1.0) and off
 * (size threshold above the train), in alternating rounds, to two targets:
 * <ul>
 *   <li>{@code loopback}: a bound UDP socket on 127.0.0.1 that nobody reads (its queue overflows
 *       and the kernel drops): local delivery, where the kernel copies zerocopy pages anyway.</li>
 *   <li>{@code veth}: a veth pair, the far end moved into a private network namespace, up and
 *       without an address, with a static neighbour entry on the near end: every train leaves
 *       through the veth and is dropped in the namespace without local delivery (needs root and
 *       iproute2; skipped with the reason otherwise).</li>
 * </ul>
 * Trains are 17 segments (23,800 bytes) by default ({@code -Dbench.segments=N}): a zerocopy skb
 * pins at most MAX_SKB_FRAGS (17) frags and every pooled 2 KiB slot is one frag, so a 64 KiB
 * train of 46 slots cannot go zerocopy at all ({@link UdpZerocopyChannel} copies it).
 * Per case and round: throughput, the sending thread's CPU time per GB sent
 * ({@link ThreadMXBean#getCurrentThreadCpuTime}, user + system of this thread; softirq work
 * the kernel charges elsewhere is not in it), and the completion verdicts (copy ratio = sends
 * completed COPIED / all completed). Each case waits for its outstanding completions before
 * the next starts. Run: {@code java -cp <bench classpath> io.switchyard.bench.zerocopy.GsoZerocopyBench [rounds] [seconds]}.
 */
public final class GsoZerocopyBench {
    static final int SEGMENT = 1400;
    static final int SEGMENTS = Integer.getInteger("bench.segments", 17);
    static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    record Result(String target, String mode, int round, long bytes, long wallNanos, long cpuNanos,
                  long completedZerocopy, long completedCopied, long windowFull, long zcSends, long copySends) {
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
        List<Result> results = new ArrayList<>();
        try (var sink = java.nio.channels.DatagramChannel.open()) {
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            runTarget("loopback", (InetSocketAddress) sink.getLocalAddress(), rounds, seconds, results);
        }
        String reason = Veth.unavailableReason();
        if (reason != null) {
            System.out.println("veth: skipped: " + reason);
        } else {
            try (Veth veth = Veth.create()) {
                runTarget("veth", veth.peer(), rounds, seconds, results);
            }
        }
        System.out.println();
        System.out.println("target   mode      round  Gbit/s  cpu-s/GB  copied/completed  zc-sends copy-sends window-full");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-8s %-9s %5d %7.2f %9.3f  %16s %9d %10d %11d%n", r.target, r.mode, r.round,
                    r.gbitPerSecond(), r.cpuSecondsPerGb(), r.copyRatio(), r.zcSends, r.copySends, r.windowFull);
        }
        System.out.println();
        for (String target : new String[] {"loopback", "veth"}) {
            List<Double> cpu = new ArrayList<>();
            List<Double> thr = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                Result zc = find(results, target, "zerocopy", round);
                Result copy = find(results, target, "copy", round);
                if (zc != null && copy != null) {
                    cpu.add(zc.cpuSecondsPerGb() / copy.cpuSecondsPerGb());
                    thr.add(zc.gbitPerSecond() / copy.gbitPerSecond());
                }
            }
            if (!cpu.isEmpty()) {
                System.out.printf(Locale.ROOT, "%s: per-round zerocopy/copy ratios, median (min..max): CPU per GB %s, throughput %s%n",
                        target, summary(cpu), summary(thr));
            }
        }
    }

    private static Result find(List<Result> results, String target, String mode, int round) {
        for (Result r : results) {
            if (r.target.equals(target) && r.mode.equals(mode) && r.round == round) {
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

    private static void runTarget(String target, InetSocketAddress peer, int rounds, double seconds, List<Result> out)
            throws Exception {
        var poolCounters = new ZerocopyCounters();
        try (var pool = MpmcBufferPool.mtu(SEGMENTS * 512, false, poolCounters)) {
            for (int round = 0; round < rounds; round++) {
                boolean zcFirst = round % 2 == 0; // alternate which case goes first
                for (int k = 0; k < 2; k++) {
                    boolean zerocopy = (k == 0) == zcFirst;
                    out.add(runCase(target, peer, pool, zerocopy, round, seconds));
                }
            }
        }
    }

    private static Result runCase(String target, InetSocketAddress peer, MpmcBufferPool pool, boolean zerocopy,
                                  int round, double seconds) throws Exception {
        var counters = new ZerocopyCounters();
        var config = ZerocopyConfig.defaults().withMaxOutstandingSends(256)
                .withBackoff(64, 1.0, Duration.ofSeconds(1), Duration.ofSeconds(60));
        if (!zerocopy) {
            config = config.withSizeThreshold(Integer.MAX_VALUE);
        }
        try (var channel = UdpZerocopyChannel.open(UdpOptions.create().sendBuffer(4 << 20).connect(peer), SEGMENTS)) {
            if (zerocopy && !channel.enableZerocopy()) {
                throw new IllegalStateException("SO_ZEROCOPY unavailable on this kernel/transport");
            }
            var tracker = new ZerocopyCompletionTracker(channel, config, counters, System::nanoTime);
            var batch = new PacketBatch(SEGMENTS);
            long bytes = 0;
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                if (batch.isEmpty() && !fill(pool, batch)) {
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
                System.out.println(target + " " + zerocopy + " gso=" + channel.socket().gsoEnabled() + " io=" + channel.socket().counters()
                        + " zcSends=" + channel.socket().zeroCopySends() + " zc=" + counters);
            }
            tracker.close();
            channel.close();
            tracker.socketClosed();
            return new Result(target, zerocopy ? "zerocopy" : "copy", round, bytes, wall, cpu,
                    counters.get(ZerocopyCounter.COMPLETED_ZEROCOPY), counters.get(ZerocopyCounter.COMPLETED_COPIED),
                    counters.get(ZerocopyCounter.WINDOW_FULL_FALLBACK), counters.get(ZerocopyCounter.ZEROCOPY_SENDS),
                    counters.get(ZerocopyCounter.COPY_SENDS));
        }
    }

    private static boolean fill(MpmcBufferPool pool, PacketBatch batch) {
        for (int i = 0; i < SEGMENTS; i++) {
            PacketBuffer b = pool.acquire();
            if (b == null) {
                batch.releaseAll();
                return false;
            }
            batch.add(b.window(0, SEGMENT));
        }
        return true;
    }

    /** A veth pair whose far end sits, up and unaddressed, in a private namespace. */
    static final class Veth implements AutoCloseable {
        final String ns;
        final String link;
        final int subnet;

        private Veth(String ns, String link, int subnet) {
            this.ns = ns;
            this.link = link;
            this.subnet = subnet;
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
            long pid = ProcessHandle.current().pid();
            String tag = Long.toString(pid % 100000, 36) + Long.toString(System.nanoTime() % 1296, 36);
            var veth = new Veth("zcb" + tag, "zcb" + tag, 16 + (int) (pid % 200));
            String peerLink = veth.link + "p";
            check(run("ip", "netns", "add", veth.ns));
            try {
                check(run("ip", "link", "add", veth.link, "type", "veth", "peer", "name", peerLink));
                check(run("ip", "link", "set", peerLink, "netns", veth.ns));
                check(run("ip", "netns", "exec", veth.ns, "ip", "link", "set", peerLink, "up"));
                check(run("ip", "addr", "add", "10.252." + veth.subnet + ".1/30", "dev", veth.link));
                check(run("ip", "link", "set", veth.link, "up"));
                // A static neighbour: frames go out at once, no ARP (the far end has no address).
                check(run("ip", "neigh", "replace", "10.252." + veth.subnet + ".2", "lladdr", "02:00:00:00:00:02",
                        "nud", "permanent", "dev", veth.link));
            } catch (Exception e) {
                veth.close();
                throw e;
            }
            return veth;
        }

        InetSocketAddress peer() throws Exception {
            return new InetSocketAddress(InetAddress.getByName("10.252." + subnet + ".2"), 9);
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
            run("ip", "link", "del", link);
            run("ip", "netns", "del", ns);
        }
    }
}
