package io.switchyard.bench.e2e;

import io.switchyard.config.Key32;
import io.switchyard.io.Datagrams;
import io.switchyard.io.IoCounter;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.HubStats;
import io.switchyard.router.client.WireGuardClient;
import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;
import io.switchyard.wireguard.Keys;
import io.switchyard.wireguard.peer.PeerEngine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end forwarding rate through one in-process hub on loopback, counted at the receiving
 * peers. For each pair, a sender peer and a sink peer handshake with the hub through client mode
 * ({@link WireGuardClient}); the sender then blasts PRE-SEALED transport messages (sealed before
 * the clock starts, each counter used once) as GSO trains from a native socket, and the sink
 * counts what the hub forwards with GRO on a native socket, opening one datagram in 1,024 to check
 * it is a valid message of its session. The hub's settings are the variable: {@code nio} (the
 * portable java.nio path), {@code native} (recvmmsg/sendmmsg through FFM), {@code gso}
 * (native + UDP GSO/GRO), all three with one listen socket and no connected sockets (the hub as
 * it was before those existed); then {@code links} (gso + a connected socket per peer),
 * {@code routers2} (gso + two listen sockets, one router thread each), {@code links-nozc}
 * (links without MSG_ZEROCOPY), {@code uring} (the listen socket on io_uring, GSO/GRO on) and
 * {@code default} (the shipped defaults). Two variants put the hub in a network namespace of its
 * own, behind a veth pair, as another process ({@link Target.External}): {@code sy-netns}
 * ({@code switchyard up} with the shipped defaults and the launcher's JVM options) and
 * {@code wggo} (stock wireguard-go with a TUN and the kernel forwarding), and {@code sy-baseline}
 * ({@code sy-netns} run from another build's jars, {@code -Dbench.baseline.classpath}, to compare
 * two builds in alternated rounds), so the same generator
 * and sinks compare the two; those processes are started once and serve every round. Variants
 * alternate within each round; round 0 is a discarded warm-up ({@code --warmup N} runs it N times:
 * the Vector API kernel of the AEAD takes C2 several seconds to compile on two busy cores).
 *
 * <p>{@code --families 4,6} runs each variant with the generator and sinks talking to the hub
 * over IPv4 and over IPv6 (the default is {@code 4}): in-process from {@code 127.0.0.1} or
 * {@code ::1}, to a namespace from the veth's {@code 10.77.0.1} or {@code fd77::1}
 * ({@link BenchNetns}); every hub listens dual stack. The families alternate within each round
 * after each variant (variant A over IPv4, A over IPv6, B over IPv4, ...), and the family is a
 * column of every result; with both, the table also gives each variant's IPv6 rate as the median
 * of its per-round ratios to IPv4. Only the outer path changes: the tunnelled packets stay IPv4.
 * {@code --padding mtu} has the generator pad its inner packets as WireGuard with a 1,420-byte
 * MTU does (to a multiple of 16, but never past the MTU: a 1,420-byte packet stays 1,420, a
 * 1,452-byte datagram, which fits a 1,500-byte IPv6 path); {@code --padding 16} always rounds up
 * to a multiple of 16 (a 1,420-byte packet becomes 1,424, a 1,456-byte datagram, which fits an
 * IPv4 veth but not an IPv6 one), as the generator always did. The default is {@code mtu} when
 * IPv6 is among the families (both families then send the same datagrams) and {@code 16}
 * otherwise, so IPv4-only commands measure what they did before. The latency mode is IPv4 only.
 *
 * <p>Besides what the sinks count, each run reports what the generator sent in the window, the
 * kernel drops on the hub's listen socket and on the sinks' sockets. Kernel drops count socket
 * buffers, and a GSO train that reaches a GRO socket is one buffer of up to 64 datagrams, so
 * they undercount datagrams where trains are dropped whole. System properties:
 * {@code -Dbench.drops=true} (the in-process hub's drops by reason), {@code -Dbench.hubOutput=true}
 * (a hub process's status lines, printed when it stops), {@code -Dbench.hubJvm="..."} (more JVM
 * options for it), {@code -Dbench.mark=FILE}, {@code -Dbench.hugePages=false} (pre-sealed packets in
 * ordinary pages, as before 2026-12-01's late run: {@link HugeMemory}).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
 *   -cp "bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *   io.switchyard.bench.e2e.ForwardingBench [--sizes 64,1420] [--pairs 2] [--seconds 3] [--rounds 3] [--warmup 1]
 *   [--variants nio,native,gso] [--rates 0,200000,...] [--families 4|6|4,6] [--padding 16|mtu] [--out docs/perf-e2e]
 * </pre>
 * Everything (generator, hub, sinks) shares the machine: a result says what this box forwards
 * while also generating and sinking the load.
 *
 * <p>Why one file of about 650 lines: a benchmark main, whose option parsing, rounds and report
 * belong to one command line; the hubs it drives and the report it writes are in {@link Target} and
 * {@link Report}.
 */
public final class ForwardingBench {
    /** One hub configuration: its [Switchyard] lines besides Transport/GSO/GRO (empty: the defaults). */
    record Variant(String name, String transport, boolean gso, boolean gro, String extra, Where where) {
        Variant(String name, String transport, boolean gso, boolean gro, String extra) {
            this(name, transport, gso, gro, extra, Where.IN_PROCESS);
        }

        /** The hub's [Switchyard] section. */
        String settings() {
            return "Transport = " + transport + "\nGSO = " + (gso ? "on" : "off") + "\nGRO = " + (gro ? "on" : "off") + "\n"
                    + extra;
        }
    }

    /** Where the hub runs: in this JVM on loopback, or as a process in a namespace behind a veth ({@link Target}). */
    enum Where { IN_PROCESS, SWITCHYARD_PROCESS, SWITCHYARD_BASELINE, WIREGUARD_GO }

    private static final String SINGLE = "ConnectedSockets = off\nRouterThreads = 1\n";

    /**
     * One run ({@code family}: the outer IP version between the generator and the hub, 4 or 6): {@code pps} counted at the sinks, {@code sentPps} what the generator sent in the same window,
     * {@code hubDrops} the hub's own drop counter (-1: another process, not read), {@code sinkKernelDrops} what
     * the sinks' sockets overflowed (SO_RXQ_OVFL), {@code hubSocketDrops} what the hub's listen socket overflowed
     * ({@link Target#socketDrops}); batch figures are NaN for another process.
     */
    record Result(long offered, int round, String variant, int family, int innerBytes, int pairs, double pps, double gbps, long hubDrops,
            double recvBatch, double segmentsPerTrain, boolean generatorExhausted, double sentPps, long sinkKernelDrops,
            long hubSocketDrops) {}

    /** Total offered packets per second across senders (the current --rates entry); 0 = flat out. */
    static long rate;
    static int pairs;
    /**
     * The generator pads its inner packets to a multiple of 16 but not past this many bytes (or the
     * packet's own length if longer): {@link #MTU} for {@code --padding mtu}, unbounded for {@code 16}.
     */
    static int paddingLimit = Integer.MAX_VALUE;
    /** The inner MTU {@code --padding mtu} pads to: wg-quick's default, the largest inner packet. */
    static final int MTU = WireGuardClient.MAX_INNER;

    private static final Map<String, Variant> VARIANTS = Map.ofEntries(
            Map.entry("nio", new Variant("nio", "nio", false, false, SINGLE)),
            Map.entry("native", new Variant("native", "native", false, false, SINGLE)),
            Map.entry("gso", new Variant("gso", "native", true, true, SINGLE)),
            Map.entry("links", new Variant("links", "native", true, true, "ConnectedSockets = on\nRouterThreads = 1\n")),
            Map.entry("links-nozc", new Variant("links-nozc", "native", true, true,
                    "ConnectedSockets = on\nRouterThreads = 1\nZeroCopy = off\n")),
            Map.entry("routers2", new Variant("routers2", "native", true, true, "ConnectedSockets = off\nRouterThreads = 2\n")),
            Map.entry("uring", new Variant("uring", "uring", true, true, SINGLE)),
            Map.entry("default", new Variant("default", "native", true, true, "")),
            Map.entry("sy-netns", new Variant("sy-netns", "auto", true, true, "", Where.SWITCHYARD_PROCESS)),
            Map.entry("sy-baseline", new Variant("sy-baseline", "auto", true, true, "", Where.SWITCHYARD_BASELINE)),
            Map.entry("wggo", new Variant("wggo", "", false, false, "", Where.WIREGUARD_GO)));

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("--sizes", "64,1420", "--pairs", "2", "--seconds", "3",
                "--rounds", "3", "--variants", "nio,native,gso", "--out", "", "--rates", "0", "--latency-at", "",
                "--warmup", "1", "--families", "4"));
        opt.put("--padding", ""); // empty: mtu when IPv6 is among the families, else 16
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!opt.containsKey(args[i])) {
                System.err.println("unknown option " + args[i] + "; options: " + opt.keySet());
                System.exit(2);
            }
            opt.put(args[i], args[i + 1]);
        }
        int pairs = Integer.parseInt(opt.get("--pairs"));
        ForwardingBench.pairs = pairs;
        int seconds = Integer.parseInt(opt.get("--seconds"));
        int rounds = Integer.parseInt(opt.get("--rounds"));
        List<Integer> families = families(opt.get("--families"));
        String padding = opt.get("--padding").isEmpty() ? (families.contains(6) ? "mtu" : "16") : opt.get("--padding");
        paddingLimit = switch (padding) {
            case "mtu" -> MTU;
            case "16" -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException("--padding is 16 or mtu, not " + padding);
        };
        System.out.println("outer IP: " + String.join(", ", families.stream().map(f -> "IPv" + f).toList())
                + "; inner packets padded " + (paddingLimit == MTU ? "to a multiple of 16 up to the " + MTU + "-byte MTU"
                : "to a multiple of 16"));
        awaitAeadKernel();

        if (!opt.get("--latency-at").isEmpty()) {
            if (!families.equals(List.of(4))) {
                throw new IllegalArgumentException("the latency mode probes over IPv4 only (--families 4)");
            }
            // the hubs to probe: --variants if given, else the GSO/GRO hub in-process
            List<String> hubs = List.of(args).contains("--variants") ? List.of(opt.get("--variants").split(","))
                    : List.of("gso");
            latency(Integer.parseInt(opt.get("--sizes").split(",")[0].strip()), pairs,
                    Long.parseLong(opt.get("--latency-at")), seconds, rounds, hubs, String.join(" ", args));
            return;
        }
        List<Result> results = new ArrayList<>();
        for (String sz : opt.get("--sizes").split(",")) {
            int inner = Integer.parseInt(sz.strip());
            for (String rt : opt.get("--rates").split(",")) {
            rate = Long.parseLong(rt.strip());
            int warmup = Integer.parseInt(opt.get("--warmup"));
            for (int w = 1 - warmup; w <= rounds; w++) {
                int r = Math.max(w, 0); // every warm-up round is round 0, discarded
                for (String v : opt.get("--variants").split(",")) {
                    for (int family : families) {
                        Result res = run(r, variant(v), family, inner, pairs, seconds);
                        System.out.println(format(res));
                        if (r > 0) {
                            results.add(res);
                        }
                    }
                }
            }
            }
        }
        String report = Report.markdown(results, String.join(" ", args), opt.get("--variants").split(",")[0].strip(),
                paddingLimit == MTU ? "Inner packets padded as WireGuard with a " + MTU + "-byte MTU pads them (--padding mtu)." : "");
        System.out.println();
        System.out.println(report);
        if (!opt.get("--out").isEmpty()) {
            Path out = Path.of(opt.get("--out"));
            Files.createDirectories(out);
            Files.writeString(out.resolve("forwarding.md"), report);
            Files.writeString(out.resolve("forwarding.json"), Report.json(results));
            Report.charts(results, out);
            System.out.println("wrote " + out.resolve("forwarding.md") + ", forwarding.json and charts");
        }
    }

    /** The IP versions of {@code --families}: 4 and/or 6, in the order given, each once. */
    static List<Integer> families(String option) {
        List<Integer> families = new ArrayList<>();
        for (String f : option.split(",")) {
            int family = switch (f.strip().toLowerCase(Locale.ROOT)) {
                case "4", "ipv4" -> 4;
                case "6", "ipv6" -> 6;
                default -> throw new IllegalArgumentException("--families lists 4 and/or 6, not " + f);
            };
            if (!families.contains(family)) {
                families.add(family);
            }
        }
        return families;
    }

    /**
     * Where this JVM can use the AEAD's Vector API kernel, waits (at most 60 s) until it has
     * warmed up and taken over from the JDK cipher, so that no measured round runs the other
     * engine; says which engine the in-process hub uses either way.
     */
    static void awaitAeadKernel() throws InterruptedException {
        if (HybridChaCha20Poly1305.vectorKernelUsable()) {
            HybridChaCha20Poly1305.warmUp();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!HybridChaCha20Poly1305.vectorKernelActive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        System.out.println("in-process hubs' ChaCha20-Poly1305 above " + HybridChaCha20Poly1305.IN_PLACE_MAX + " B: "
                + HybridChaCha20Poly1305.longMessageEngine());
    }

    static String format(Result r) {
        return String.format(Locale.ROOT, "offered %s, round %d %-8s IPv%d %4d B x%d pairs: %,10.0f pps %6.3f Gbit/s inner (sent %,.0f pps), hub drops %s,"
                        + " hub socket drops %,d, sink drops %,d, %.1f datagrams/receive, %.1f segments/send%s", rate == 0 ? "flat out" : rate + " pps", r.round(),
                r.variant(), r.family(), r.innerBytes(), r.pairs(), r.pps(), r.gbps(), r.sentPps(),
                r.hubDrops() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", r.hubDrops()), r.hubSocketDrops(), r.sinkKernelDrops(),
                r.recvBatch(), r.segmentsPerTrain(),
                r.generatorExhausted() ? " (generator ran out of pre-sealed packets)" : "");
    }

    /** Set by {@link #run} when {@link #probe} is on: the via-hub latency histogram of the window. */
    static org.HdrHistogram.Histogram probed;
    static boolean probe;

    /**
     * Latency at a fixed offered rate through each hub of {@code variants} (without
     * {@code --variants}: the GSO/GRO hub in-process): a probe pair (one datagram every 200 µs)
     * beside the blast, and the same probe over plain loopback as the baseline, alternating per
     * round; prints p50/p99/p99.9 and the difference.
     */
    static void latency(int inner, int pairs, long offered, int seconds, int rounds, List<String> variants, String args)
            throws Exception {
        rate = offered;
        probe = true;
        StringBuilder sb = new StringBuilder("Command: `... io.switchyard.bench.e2e.ForwardingBench " + args + "`\n\n"
                + "| round | hub | forwarded pps | via hub p50 / p99 / p99.9 µs | loopback p50 / p99 / p99.9 µs | added p50 / p99 / p99.9 µs |\n"
                + "|---|---|---|---|---|---|\n");
        for (int r = 0; r <= rounds; r++) {
            for (String name : variants) {
                Result res = run(r, variant(name), inner, pairs, seconds);
                org.HdrHistogram.Histogram hub = probed;
                org.HdrHistogram.Histogram base = LatencyProbe.loopback(200, seconds * 1000L);
                String line = String.format(Locale.ROOT, "| %d | %s | %,.0f | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f |",
                        r, res.variant(), res.pps(), us(hub, 50), us(hub, 99), us(hub, 99.9), us(base, 50), us(base, 99),
                        us(base, 99.9), us(hub, 50) - us(base, 50), us(hub, 99) - us(base, 99), us(hub, 99.9) - us(base, 99.9));
                System.out.println(line + (r == 0 ? " (warm-up, discarded)" : ""));
                if (r > 0) {
                    sb.append(line).append('\n');
                }
            }
        }
        System.out.println();
        System.out.println(sb);
    }

    private static double us(org.HdrHistogram.Histogram h, double p) {
        return h.getValueAtPercentile(p) / 1000.0;
    }

    /** A hub process kept for a whole invocation, with the keys its peers were configured with. */
    record Kept(Target target, Key32 hubKey, List<Key32> keys) {}

    /**
     * Hub processes by variant and pair count. A process is started once and serves every round
     * (each run handshakes anew), so that round 0 warms its JIT as it warms this JVM's for an
     * in-process hub; a fresh JVM per run would measure its interpreter. Closed at exit.
     */
    private static final Map<String, Kept> KEPT = new LinkedHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ForwardingBench::closeKept));
    }

    /** Stops the kept hub processes. */
    static synchronized void closeKept() {
        for (Kept k : KEPT.values()) {
            try {
                k.target().close();
            } catch (Exception e) {
                // the process is gone or going either way
            }
        }
        KEPT.clear();
    }

    /** The variant of that name, or an error listing them. */
    static Variant variant(String name) {
        Variant v = VARIANTS.get(name.strip());
        if (v == null) {
            throw new IllegalArgumentException("unknown variant " + name + "; variants: " + VARIANTS.keySet());
        }
        return v;
    }

    static List<Key32> newKeys(int pairs) {
        List<Key32> keys = new ArrayList<>();
        for (int i = 0; i < 2 * pairs + 2; i++) { // the last two: the latency probe pair
            keys.add(Key32.of(Keys.generatePrivateKey()));
        }
        return keys;
    }

    /** One run over IPv4. */
    static Result run(int round, Variant v, int inner, int pairs, int seconds) throws Exception {
        return run(round, v, 4, inner, pairs, seconds);
    }

    /** One run with the generator and sinks talking to the hub over IP version {@code family} (4 or 6). */
    static Result run(int round, Variant v, int family, int inner, int pairs, int seconds) throws Exception {
        Kept kept;
        if (v.where() == Where.IN_PROCESS) {
            Key32 hubKey = Key32.of(Keys.generatePrivateKey());
            List<Key32> keys = newKeys(pairs);
            kept = new Kept(Target.InProcess.start(hubKey, v.settings(), keys), hubKey, keys);
        } else {
            String id = v.name() + "/" + pairs;
            kept = KEPT.get(id);
            if (kept == null) {
                if (v.where() == Where.WIREGUARD_GO) { // one TUN with the overlay's routes at a time
                    for (var it = KEPT.entrySet().iterator(); it.hasNext(); ) {
                        var e = it.next();
                        if (e.getKey().startsWith(v.name() + "/")) {
                            e.getValue().target().close();
                            it.remove();
                        }
                    }
                }
                Key32 hubKey = Key32.of(Keys.generatePrivateKey());
                List<Key32> keys = newKeys(pairs);
                Target t = switch (v.where()) {
                    case SWITCHYARD_PROCESS -> Target.External.switchyard(hubKey, v.settings(), keys);
                    case SWITCHYARD_BASELINE -> Target.External.switchyardBaseline(hubKey, v.settings(), keys);
                    default -> Target.External.wireguardGo(hubKey, keys);
                };
                kept = new Kept(t, hubKey, keys);
                KEPT.put(id, kept);
            }
        }
        Target hub = kept.target();
        List<Key32> keys = kept.keys();
        Key32 hubPublic = Key32.of(Keys.publicKey(kept.hubKey().toBytes()));
        try (Arena arena = Arena.ofShared()) {
            InetSocketAddress at = hub.endpoint(family);
            String local = hub.local(family);
            List<Sender> senders = new ArrayList<>();
            List<Sink> sinks = new ArrayList<>();
            long perSender = packetsPerSender(inner, pairs, seconds);
            for (int p = 0; p < pairs; p++) {
                WireGuardClient s = WireGuardClient.open(keys.get(2 * p), hubPublic, at, bytes(address(2 * p)));
                WireGuardClient k = WireGuardClient.open(keys.get(2 * p + 1), hubPublic, at, bytes(address(2 * p + 1)));
                s.handshake(Duration.ofSeconds(10));
                k.handshake(Duration.ofSeconds(10));
                sinks.add(new Sink(k, hub, local, at, keys.get(2 * p + 1)));
                senders.add(new Sender(s, local, at, arena, perSender, inner, bytes(address(2 * p + 1))));
            }
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (Sink k : sinks) {
                threads.add(Thread.ofPlatform().daemon().name("sink").start(() -> k.loop(stop)));
            }
            for (Sender s : senders) {
                threads.add(Thread.ofPlatform().daemon().name("sender").start(() -> s.loop(stop)));
            }
            Thread.sleep(500); // warm-up inside the run: the first trains meet cold code
            long r0 = sinks.stream().mapToLong(k -> k.received.get()).sum();
            long s0 = senders.stream().mapToLong(x -> x.sent).sum();
            long d0 = sinks.stream().mapToLong(Sink::kernelDrops).sum();
            long q0 = hub.socketDrops();
            HubStats h0 = hub.stats();
            long t0 = System.nanoTime();
            if (System.getProperty("bench.mark") != null) { // -Dbench.mark=FILE: "window N" appended as a round's window opens (to start a profiler)
                Files.writeString(Path.of(System.getProperty("bench.mark")), "window " + round + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            if (probe) {
                WireGuardClient ps = WireGuardClient.open(keys.get(2 * pairs), hubPublic, at, bytes(address(2 * pairs)));
                WireGuardClient pk = WireGuardClient.open(keys.get(2 * pairs + 1), hubPublic, at, bytes(address(2 * pairs + 1)));
                ps.handshake(Duration.ofSeconds(10));
                pk.handshake(Duration.ofSeconds(10));
                Sink probeSink = new Sink(pk, hub, local, at, keys.get(2 * pairs + 1));
                AtomicBoolean probeStop = new AtomicBoolean();
                Thread timer = Thread.ofPlatform().daemon().start(() -> {
                    try {
                        Thread.sleep(seconds * 1000L);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    probeStop.set(true);
                });
                probed = LatencyProbe.throughHub(ps, bytes(address(2 * pairs + 1)), pk, probeSink.socket, 200, probeStop);
                timer.join();
                ps.close();
                probeSink.close();
            } else {
                Thread.sleep(seconds * 1000L);
            }
            long r1 = sinks.stream().mapToLong(k -> k.received.get()).sum();
            long s1 = senders.stream().mapToLong(x -> x.sent).sum();
            long d1 = sinks.stream().mapToLong(Sink::kernelDrops).sum();
            long q1 = hub.socketDrops();
            HubStats h1 = hub.stats();
            long t1 = System.nanoTime();
            stop.set(true);
            for (Sink k : sinks) {
                k.socket.close(); // wakes a sink parked in receive
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (Sender s : senders) {
                s.close();
            }
            for (Sink k : sinks) {
                k.close();
                if (k.badSamples > 0) {
                    throw new IllegalStateException(k.badSamples + " sampled datagrams did not open at the sink");
                }
                if (k.received.get() == 0) {
                    throw new IllegalStateException("a sink received nothing from the " + v.name() + " hub over IPv"
                            + family + " (did the hub not move it to its native socket?)");
                }
            }
            double secs = (t1 - t0) / 1e9;
            double pps = (r1 - r0) / secs;
            if (h1 != null && Boolean.getBoolean("bench.drops")) { // -Dbench.drops=true: where the hub's drops went
                var sb = new StringBuilder("  drops by reason:");
                h1.drops().forEach((reason, n) -> {
                    long d = n - h0.drops().getOrDefault(reason, 0L);
                    if (d != 0) {
                        sb.append(' ').append(reason).append('=').append(d);
                    }
                });
                sb.append("; kernel drops ").append(h1.counters().getOrDefault("io.kernel_drops", 0L)
                        - h0.counters().getOrDefault("io.kernel_drops", 0L));
                System.out.println(sb);
            }
            double recvBatch = h1 == null ? Double.NaN : ratio(h1, h0, "io.datagrams_received", "io.receive_calls");
            double perTrain = h1 == null ? Double.NaN : ratio(h1, h0, "io.datagrams_sent", "io.send_calls");
            boolean exhausted = senders.stream().anyMatch(s -> s.exhausted);
            return new Result(rate, round, v.name(), family, inner, pairs, pps, pps * inner * 8 / 1e9,
                    h1 == null ? -1 : h1.dropped() - h0.dropped(), recvBatch, perTrain, exhausted, (s1 - s0) / secs, d1 - d0, q1 - q0);
        } finally {
            if (v.where() == Where.IN_PROCESS) {
                hub.close();
            }
        }
    }

    private static double ratio(HubStats h1, HubStats h0, String num, String den) {
        long n = h1.counters().getOrDefault(num, 0L) - h0.counters().getOrDefault(num, 0L);
        long d = h1.counters().getOrDefault(den, 0L) - h0.counters().getOrDefault(den, 0L);
        return d == 0 ? 0 : (double) n / d;
    }

    /** Enough pre-sealed packets for warm-up plus the window at a generous rate, within 1 GiB per sender. */
    static long packetsPerSender(int inner, int pairs, int seconds) {
        long rate = inner <= 256 ? 1_500_000 : 500_000; // total pps the generator must be able to offer
        long wanted = rate * (seconds + 1) / pairs;
        long cap = (1L << 30) / stride(inner);
        return Math.min(wanted, cap);
    }

    static int stride(int inner) {
        int padded = (inner + 15) & -16;
        return (16 + padded + 16 + 63) & -64;
    }

    static String address(int i) {
        return "10.98." + (i / 250) + "." + (i % 250 + 1);
    }

    static byte[] bytes(String dotted) {
        String[] p = dotted.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]), (byte) Integer.parseInt(p[2]),
                (byte) Integer.parseInt(p[3])};
    }

    /** Blasts its pre-sealed messages as GSO trains of 64 from a connected native socket. */
    static final class Sender implements AutoCloseable {
        final WireGuardClient client;
        final UdpSocket socket;
        final MemorySegment packets;
        final int stride;
        final int length;
        final long count;
        volatile boolean exhausted;
        /** Datagrams handed to the kernel so far. */
        volatile long sent;

        Sender(WireGuardClient client, String local, InetSocketAddress hub, Arena arena, long count, int inner, byte[] dst)
                throws IOException {
            this.client = client;
            this.stride = stride(inner);
            this.count = count;
            this.packets = Boolean.parseBoolean(System.getProperty("bench.hugePages", "true"))
                    ? HugeMemory.allocate(arena, count * stride) : arena.allocate(count * stride, 64);
            ByteBuffer view = packets.asByteBuffer().order(ByteOrder.BIG_ENDIAN);
            int len = 0;
            // the seal pads into the room the buffer leaves: up to a multiple of 16 but not past paddingLimit
            int sealed = 16 + PeerEngine.paddedLength(inner, paddingLimit) + 16;
            for (long i = 0; i < count; i++) {
                int off = (int) (i * stride);
                view.putLong(off + WireGuardClient.PAYLOAD_OFFSET, i);
                view.limit(off + sealed);
                len = client.sealInto(view, off, dst, 40000, 40001, inner - 28);
                view.limit(view.capacity());
                if (len < 0) {
                    throw new IOException("pre-sealing failed: " + len);
                }
            }
            this.length = len;
            this.socket = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(local, 0))
                    .connect(hub).gso(true).sendBuffer(4 << 20));
        }

        void loop(AtomicBoolean stop) {
            try (SendBatch batch = new SendBatch(64)) {
                long next = 0;
                int perTrain = Math.max(1, Math.min(64, 65_507 / length));
                long pairs = ForwardingBench.pairs;
                // pacing: one train every trainNanos at this sender's share of the offered rate
                long trainNanos = rate == 0 ? 0 : perTrain * 1_000_000_000L * pairs / rate;
                long due = System.nanoTime();
                while (!stop.get()) {
                    if (trainNanos > 0) {
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                            continue;
                        }
                        due += trainNanos;
                    }
                    if (next >= count) {
                        exhausted = true;
                        return;
                    }
                    batch.clear();
                    for (int k = 0; k < perTrain && next < count; k++, next++) {
                        batch.add(packets, next * stride, length, null);
                    }
                    socket.sendTrain(batch);
                    sent = next;
                }
            } catch (Exception e) {
                if (!stop.get()) {
                    throw new IllegalStateException("sender failed", e);
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            client.close();
        }
    }

    /** Counts what the hub forwards to it with GRO; opens one datagram in 1,024. */
    static final class Sink implements AutoCloseable {
        final WireGuardClient client;
        final UdpSocket socket;
        final AtomicLong received = new AtomicLong();
        final ByteBuffer sample = ByteBuffer.allocateDirect(2048).order(ByteOrder.BIG_ENDIAN);
        long badSamples;

        Sink(WireGuardClient client, Target hub, String local, InetSocketAddress at, Key32 privateKey) throws Exception {
            this.client = client;
            this.socket = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(local, 0))
                    .connect(at).gro(true).receiveBuffer(8 << 20));
            // an authenticated keepalive from the native socket: the hub roams this peer to it
            ByteBuffer k = ByteBuffer.allocateDirect(64);
            int len = client.sealKeepaliveInto(k, 0);
            try (Arena a = Arena.ofConfined(); SendBatch b = new SendBatch(1)) {
                MemorySegment seg = a.allocate(64);
                MemorySegment.copy(MemorySegment.ofBuffer(k), 0, seg, 0, len);
                b.add(seg, 0, len, null);
                socket.send(b);
            }
            hub.awaitEndpoint(privateKey, socket.localAddress().getPort());
        }

        /** Datagrams the kernel dropped on this sink's full receive queue so far. */
        long kernelDrops() {
            return socket.counters().get(IoCounter.KERNEL_DROPS);
        }

        void loop(AtomicBoolean stop) {
            try (RecvBatch batch = new RecvBatch(64, RecvBatch.GRO_SLOT_SIZE)) {
                long n = 0;
                while (!stop.get()) {
                    int got = socket.receive(batch);
                    for (int i = 0; i < got; i++) {
                        if ((n++ & 1023) == 0) {
                            int len = batch.length(i);
                            MemorySegment.copy(batch.buffer(i), batch.offset(i), MemorySegment.ofBuffer(sample), 0, len);
                            if (client.openInPlace(sample, 0, len) < 0) {
                                badSamples++;
                            }
                        }
                    }
                    received.addAndGet(got);
                }
            } catch (Exception e) {
                // closed at the end of the run
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            client.close();
        }
    }
}
