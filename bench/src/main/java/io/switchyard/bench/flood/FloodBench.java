package io.switchyard.bench.flood;

import io.switchyard.bench.Commands;
import io.switchyard.control.ControlSnapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Issue 17's flood harness: hostile peers and floods against a hub that stock WireGuard clients
 * use, Switchyard ({@code switchyard up} as a process) and wireguard-go hubs measured in the same
 * run. For each hub a {@link Topology}: the hub in a network namespace, three wireguard-go clients
 * a, b and c in theirs, and a flooder namespace with many source addresses.
 *
 * <p>A measurement is a pair of windows of {@code --seconds}, the same except for the flood: first
 * without, then with (A, B), so the hub's and the machine's drift between pairs cancels out of the
 * ratio. In each window iperf3 TCP runs from a to b and c pings b every 0.1 s; the flooded window
 * adds the flood of its {@link FloodKind}, sent at {@code --rate} datagrams/s (the spray at
 * {@code --spray-rate} inner packets/s) from the flooder's namespace by {@link Flooder}. TCP is
 * counted at the receiver (iperf3's {@code sum_received}). Around each window the harness reads
 * the hub process's utime + stime and VmRSS ({@code /proc}), the UDP socket drops in the hub's
 * namespace ({@code /proc/net/udp}), and for our hub its control socket (rx, drops by reason,
 * {@code io.kernel_drops}, cookie replies) and {@code jstat -gc} (heap used, collections); after
 * each window it checks our hub's books: rx + local.originated = forwarded + consumed + drops.
 *
 * <p>Order: per round, per flood kind, per hub, one pair; so the hubs' pairs of one kind are
 * minutes apart, not an hour. Topologies are built once and serve every round (a hub process
 * keeps its JIT warm, as ForwardingBench keeps its hubs); round 0 ({@code --warmup N} times) is
 * discarded. {@code --fresh true} rebuilds every topology at the start of each round instead, and
 * runs one discarded unflooded window after each build. A pair that fails (a hub died, a client
 * lost its session) is printed and recorded as failed, its topology rebuilt for the next.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp "bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *   io.switchyard.bench.flood.FloodBench [--hubs switchyard,wggo,wggo-debian] [--floods none,garbage,...]
 *   [--seconds 10] [--rounds 3] [--warmup 1] [--rate 20000] [--spray-rate 17000] [--sources 50]
 *   [--offline 100] [--clients current,current,debian] [--wireguard-go PATH] [--fresh false]
 *   [--sy-settings "Key = value;..."] [--hub-jvm "..."] [--out DIR]
 * </pre>
 * Needs root, iproute2, wireguard-go, wireguard-tools, iperf3, ping and tcpdump. Everything
 * (clients, flooder, hub) shares the machine's cores: a result says what the hub keeps of the
 * clients' TCP while this box also floods it.
 */
public final class FloodBench {
    /**
     * One window. {@code flooded}: the second of its pair. TCP figures are -1 where no TCP ran;
     * hub figures are -1 (or empty) where not readable (wireguard-go has no counters or heap to
     * read). {@code benchCpuSeconds}: this JVM's CPU in the window, mostly the flooder's (it shares
     * the cores with the hub and the clients). {@code clientDrops}: our hub's drops of packets from or to clients a, b and c, keyed
     * "b peer_over_quota". {@code accounting} is "balanced" (perhaps "balanced (N staged)"), "off by N (P buffers held, S staged)" or "n/a".
     */
    record Window(int round, String hub, String kind, boolean flooded, double seconds, double gbps, long tcpBytes,
            long retransmits, int pingSent, int pingReceived, double rttAvgMs, double rttMaxMs, double hubCpuSeconds,
            long rssKb, long heapUsedKb, long gcCount, long hubRx, Map<String, Long> hubDrops, Map<String, Long> clientDrops,
            long kernelDrops,
            long socketDrops, long cookieRepliesSent, String accounting, double floodPps, long floodBehind,
            long floodReplies, double benchCpuSeconds, String failure) {
        double pingLossPercent() {
            return pingSent == 0 ? Double.NaN : 100.0 * (pingSent - pingReceived) / pingSent;
        }

        static Window failed(int round, String hub, String kind, boolean flooded, String why) {
            return new Window(round, hub, kind, flooded, 0, -1, -1, -1, 0, 0, Double.NaN, Double.NaN, -1, -1, -1, -1, -1,
                    Map.of(), Map.of(), -1, -1, -1, "n/a", 0, 0, 0, 0, why);
        }
    }

    /** Where the current wireguard-go build is unless {@code --wireguard-go} says: the shared peers' folder. */
    static final String CURRENT_WIREGUARD_GO = "/work/shared/peers/wireguard-go-0.0.20250522/wireguard-go";
    /** Datagrams per flood pool: sent round and round; enough that a pool is not a short loop. */
    static final int POOL = 4096;
    static final int SPRAY_INNER = 1200;

    private FloodBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>();
        opt.put("--hubs", "switchyard,wggo");
        opt.put("--floods", FloodKind.labels());
        opt.put("--seconds", "10");
        opt.put("--rounds", "3");
        opt.put("--warmup", "1");
        opt.put("--rate", "20000");
        opt.put("--spray-rate", "17000");
        opt.put("--sources", "50");
        opt.put("--offline", "100");
        opt.put("--clients", "current,current,debian");
        opt.put("--wireguard-go", CURRENT_WIREGUARD_GO);
        opt.put("--fresh", "false");
        opt.put("--sy-settings", "");
        opt.put("--hub-jvm", "");
        opt.put("--out", "");
        for (int i = 0; i < args.length; i++) {
            if (!opt.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("unknown option or missing value: " + args[i] + "; options: " + opt.keySet());
                System.exit(2);
            }
            opt.put(args[i], args[++i]);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("the flood harness needs root (network namespaces, veth, tcpdump)");
            System.exit(2);
        }
        List<Topology.HubKind> hubs = new ArrayList<>();
        for (String h : opt.get("--hubs").split(",")) {
            hubs.add(Topology.HubKind.of(h));
        }
        List<FloodKind> kinds = FloodKind.list(opt.get("--floods"));
        Path current = Path.of(opt.get("--wireguard-go"));
        List<Path> clients = new ArrayList<>();
        for (String c : opt.get("--clients").split(",")) {
            clients.add(switch (c.strip()) {
                case "current" -> current;
                case "debian" -> Topology.DEBIAN_WIREGUARD_GO;
                default -> Path.of(c.strip());
            });
        }
        if (clients.size() != 3) {
            throw new IllegalArgumentException("--clients names three wireguard-go binaries (a, b, c): current, debian or a path");
        }
        Topology.Settings settings = new Topology.Settings(clients, current, Integer.parseInt(opt.get("--sources")),
                Integer.parseInt(opt.get("--offline")), opt.get("--sy-settings"), opt.get("--hub-jvm"));
        Run run = new Run(settings, Integer.parseInt(opt.get("--seconds")), Long.parseLong(opt.get("--rate")),
                Long.parseLong(opt.get("--spray-rate")));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        int warmup = Integer.parseInt(opt.get("--warmup"));
        boolean fresh = Boolean.parseBoolean(opt.get("--fresh"));

        String command = String.join(" ", args);
        String environment = environment(settings, hubs);
        System.out.println(environment);
        FloodNetns.sweep();
        List<Window> results = new ArrayList<>();
        try {
            for (int w = 1 - warmup; w <= rounds; w++) {
                int round = Math.max(w, 0); // every warm-up round is round 0, discarded
                if (fresh) {
                    run.closeAll();
                }
                for (FloodKind kind : kinds) {
                    for (Topology.HubKind hub : hubs) {
                        for (Window x : run.pair(round, hub, kind, fresh)) {
                            System.out.println(FloodReport.line(x) + (round == 0 ? " (warm-up, discarded)" : ""));
                            if (round > 0) {
                                results.add(x);
                            }
                        }
                    }
                }
            }
        } finally {
            run.closeAll();
        }
        String report = FloodReport.markdown(results, command, environment);
        System.out.println();
        System.out.println(report);
        if (!opt.get("--out").isEmpty()) {
            Path out = Path.of(opt.get("--out"));
            Files.createDirectories(out);
            Files.writeString(out.resolve("flood.md"), report);
            Files.writeString(out.resolve("flood.json"), FloodReport.json(results));
            System.out.println("wrote " + out.resolve("flood.md") + " and flood.json");
        }
    }

    /** Versions and settings, printed first and kept in the report. */
    private static String environment(Topology.Settings s, List<Topology.HubKind> hubs) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("Started ").append(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)).append(" on ")
                .append(Commands.run("uname", "-r").out()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, load average ")
                .append(Files.readString(Path.of("/proc/loadavg")).strip()).append("; JDK ")
                .append(Runtime.version()).append(".\n");
        sb.append("Clients a, b, c: ");
        for (int i = 0; i < 3; i++) {
            sb.append(i == 0 ? "" : ", ").append(version(s.clientBinaries().get(i)));
        }
        sb.append(". Hubs: ").append(String.join(", ", hubs.stream().map(h -> switch (h) {
            case SWITCHYARD -> "switchyard (switchyard up, JVM " + String.join(" ", Topology.switchyardJvmOptions(s.hubJvm()))
                    + (s.switchyardSettings().isBlank() ? "" : ", [Switchyard] " + s.switchyardSettings()) + ")";
            case WGGO -> "wggo (" + version(s.currentWireguardGo()) + ")";
            case WGGO_DEBIAN -> "wggo-debian (" + version(Topology.DEBIAN_WIREGUARD_GO) + ")";
        }).toList())).append(". ").append(Commands.run("iperf3", "--version").out().lines().findFirst().orElse("iperf3 ?"))
                .append(".");
        return sb.toString();
    }

    private static String version(Path wireguardGo) {
        try {
            return Commands.run(wireguardGo.toString(), "--version").out().lines().findFirst().orElse("?")
                    + " (" + wireguardGo + ")";
        } catch (IOException e) {
            return wireguardGo + " (not runnable: " + e.getMessage() + ")";
        }
    }

    /** The topologies of a run and how its windows are measured. */
    static final class Run {
        final Topology.Settings settings;
        final int seconds;
        final long rate;
        final long sprayRate;
        final Map<Topology.HubKind, Topology> topologies = new LinkedHashMap<>();
        final SplittableRandom random = new SplittableRandom();

        Run(Topology.Settings settings, int seconds, long rate, long sprayRate) {
            this.settings = settings;
            this.seconds = seconds;
            this.rate = rate;
            this.sprayRate = sprayRate;
        }

        void closeAll() {
            for (Topology t : topologies.values()) {
                t.close();
            }
            topologies.clear();
        }

        private Topology topology(Topology.HubKind hub, boolean fresh) throws Exception {
            Topology t = topologies.get(hub);
            if (t == null) {
                long t0 = System.nanoTime();
                t = Topology.build(hub, settings);
                topologies.put(hub, t);
                System.out.printf(Locale.ROOT, "built the %s topology in %.1f s%n", hub.label, (System.nanoTime() - t0) / 1e9);
                if (fresh) {
                    System.out.println(FloodReport.line(window(0, t, FloodKind.NONE, false)) + " (after a build, discarded)");
                }
            }
            return t;
        }

        /** The unflooded and the flooded window of {@code kind} on {@code hub}; failed windows on failure. */
        List<Window> pair(int round, Topology.HubKind hub, FloodKind kind, boolean fresh) {
            try {
                Topology t = topology(hub, fresh);
                Window base = window(round, t, kind, false);
                Window flooded = window(round, t, kind, true);
                return List.of(base, flooded);
            } catch (Exception e) {
                String why = e.getClass().getSimpleName() + ": " + e.getMessage();
                Topology t = topologies.remove(hub);
                if (t != null) {
                    why += t.hubAlive() ? "" : " (the hub process is gone)" + t.hubOutput();
                    t.close(); // rebuilt for the next pair
                }
                return List.of(Window.failed(round, hub.label, kind.label, false, why),
                        Window.failed(round, hub.label, kind.label, true, why));
            }
        }

        Window window(int round, Topology t, FloodKind kind, boolean flooded) throws Exception {
            boolean tcp = flooded || kind.baselineHasTcp();
            boolean flood = flooded && kind.floods();
            FloodPackets.Pool pool = null;
            java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
            try {
                if (flood && kind != FloodKind.SPRAY) {
                    Integer live = kind == FloodKind.TYPE4_LIVE ? t.liveIndexOfA() : null;
                    pool = FloodPackets.pool(switch (kind) {
                        case GARBAGE -> FloodPackets.garbage(POOL, random);
                        case INITIATIONS -> FloodPackets.initiations(POOL, t.hubPublic.toBytes(), random);
                        case TYPE4_RANDOM, TYPE4_LIVE -> FloodPackets.transport(POOL, live, random);
                        case COOKIES -> FloodPackets.cookieReplies(POOL, random);
                        default -> throw new IllegalStateException(kind.label);
                    }, arena);
                }
                HostProbes.Gc gc0 = t.gc();
                ControlSnapshot s0 = t.snapshot();
                long sock0 = t.socketDrops();
                long ticks0 = t.hubCpuTicks();
                long bench0 = benchCpuNanos();
                long t0 = System.nanoTime();
                Flooder flooder = null;
                InetSocketAddress hubAt = new InetSocketAddress(Topology.FLOOD_LINK_HUB, Topology.PORT);
                if (flood) {
                    List<String> sources = new ArrayList<>();
                    for (int j = 0; j < settings.sources(); j++) {
                        sources.add(Topology.flooderSource(j));
                    }
                    flooder = kind == FloodKind.SPRAY
                            ? Flooder.spray(t.flooderNs, hubAt, sprayRate, spray(t))
                            : Flooder.pool(t.flooderNs, hubAt, sources, rate, pool);
                }
                Flooder.Stats fs = null;
                HostProbes.Ping ping;
                HostProbes.Iperf iperf = null;
                try {
                    Process p = t.startPing(3, 2, seconds * 10);
                    if (tcp) {
                        iperf = t.iperf(1, seconds);
                    }
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    p.waitFor(30, TimeUnit.SECONDS);
                    ping = HostProbes.Ping.parse(out);
                } finally {
                    if (flooder != null) {
                        fs = flooder.stop();
                    }
                }
                long t1 = System.nanoTime();
                long bench1 = benchCpuNanos();
                long ticks1 = t.hubCpuTicks();
                long[] mem = t.hubMemoryKb();
                long sock1 = t.socketDrops();
                ControlSnapshot s1 = t.snapshot();
                HostProbes.Gc gc1 = t.gc();
                String accounting = s1 == null ? "n/a" : accounting(t);
                Map<String, Long> drops = new TreeMap<>();
                Map<String, Long> clientDrops = new TreeMap<>();
                if (s1 != null) {
                    delta(s0.drops(), s1.drops(), "", drops);
                    for (int i = 0; i < 3; i++) {
                        var before = s0.peer(t.clientPublic.get(i));
                        var after = s1.peer(t.clientPublic.get(i));
                        if (before.isPresent() && after.isPresent()) {
                            delta(before.get().drops(), after.get().drops(), Topology.CLIENT[i] + " ", clientDrops);
                        }
                    }
                }
                if (!t.hubAlive()) {
                    throw new IOException("the hub process exited during the window" + t.hubOutput());
                }
                if (flood) {
                    Thread.sleep(1000); // what the flood queued drains before the next window
                }
                double secs = (t1 - t0) / 1e9;
                return new Window(round, t.kind.label, kind.label, flooded, secs,
                        iperf == null ? -1 : iperf.bitsPerSecond() / 1e9, iperf == null ? -1 : iperf.receivedBytes(),
                        iperf == null ? -1 : iperf.retransmits(), ping.sent(), ping.received(), ping.rttAvgMs(),
                        ping.rttMaxMs(), (ticks1 - ticks0) / (double) HostProbes.CLOCK_TICKS, mem[0],
                        gc1 == null ? -1 : gc1.heapUsedKb(), gc0 == null || gc1 == null ? -1 : gc1.collections() - gc0.collections(),
                        s1 == null ? -1 : s1.rxPackets() - s0.rxPackets(), drops, clientDrops,
                        s1 == null ? -1 : counter(s1, "io.kernel_drops") - counter(s0, "io.kernel_drops"), sock1 - sock0,
                        s1 == null ? -1 : s1.cookieRepliesSent() - s0.cookieRepliesSent(), accounting,
                        fs == null ? 0 : fs.sentPps(), fs == null ? 0 : fs.behind(), fs == null ? 0 : fs.repliesReceived(),
                        (bench1 - bench0) / 1e9, null);
            } finally {
                arena.close();
            }
        }

        private Flooder.Spray spray(Topology t) {
            List<byte[]> targets = new ArrayList<>();
            for (int k = 0; k < settings.offlinePeers(); k++) {
                targets.add(address(Topology.offlineOverlay(k)));
            }
            if (targets.isEmpty()) {
                throw new IllegalArgumentException("the spray needs offline peers (--offline > 0)");
            }
            return new Flooder.Spray(t.flooderPeerPrivate, t.hubPublic, address(Topology.overlay(Topology.FLOODER_PEER)),
                    targets, SPRAY_INNER);
        }
    }

    /** Into {@code out}, under {@code prefix} + reason: what each drop counter grew by, where it grew. */
    static void delta(Map<String, Long> before, Map<String, Long> after, String prefix, Map<String, Long> out) {
        after.forEach((reason, n) -> {
            long d = n - before.getOrDefault(reason, 0L);
            if (d != 0) {
                out.put(prefix + reason, d);
            }
        });
    }

    /** This JVM's CPU time so far: the flooder's threads, and the little the harness does while a window runs. */
    static long benchCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long counter(ControlSnapshot s, String name) {
        return s.counters().getOrDefault(name, 0L);
    }

    /**
     * Our hub's books after a window: rx + local.originated against forwarded + consumed + drops
     * + the packets staged for peers whose handshake has not completed (staging.buffers: counted
     * once sent or given up on), read until they balance (at most 5 s: a snapshot may catch
     * packets in flight, keepalives keep arriving); "balanced" (with how many were staged, if
     * any), or at the deadline "off by N (P buffers held)": in minus out, beside the packet
     * buffers the hub holds (pool.in_use).
     */
    static String accounting(Topology t) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            ControlSnapshot s = t.snapshot();
            long in = s.rxPackets() + counter(s, "local.originated");
            long staged = counter(s, "staging.buffers");
            long out = counter(s, "forwarded") + counter(s, "consumed") + s.totalDrops();
            if (in == out + staged) {
                return staged == 0 ? "balanced" : "balanced (" + staged + " staged)";
            }
            if (System.nanoTime() > deadline) {
                return "off by " + (in - out - staged) + " (" + counter(s, "pool.in_use") + " buffers held, "
                        + staged + " staged)";
            }
            Thread.sleep(50);
        }
    }

    static byte[] address(String dotted) {
        String[] p = dotted.split("\\.");
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) Integer.parseInt(p[i]);
        }
        return b;
    }
}
