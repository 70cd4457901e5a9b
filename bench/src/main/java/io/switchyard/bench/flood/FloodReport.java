package io.switchyard.bench.flood;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@link FloodBench} results as a console line per window, two markdown tables (what the clients
 * kept; what it cost the hub) and JSON. Medians over rounds; a ratio is the median of the
 * per-round ratios (flooded ÷ unflooded of the same pair), not the ratio of medians.
 */
final class FloodReport {
    private FloodReport() {}

    /** Issue 17's targets (measured and reported, not asserted). */
    static final double FLOOD_TCP_RATIO = 0.8;
    static final double SPRAY_TCP_RATIO = 0.9;
    static final double BESIDE_TCP_PING_LOSS = 1.0;

    static String line(FloodBench.Window w) {
        if (w.failure() != null) {
            return String.format(Locale.ROOT, "round %d %-11s %-15s %-9s FAILED: %s", w.round(), w.hub(), w.kind(),
                    w.flooded() ? "second" : "first", w.failure());
        }
        return String.format(Locale.ROOT, "round %d %-11s %-15s %-9s %4.1f s: TCP %s, ping %d/%d (avg %s, max %s ms),"
                        + " hub CPU %.2f cores, RSS %,d MB%s, hub rx %s, drops %s%s, kernel/socket drops %s/%,d, cookie replies %s,"
                        + " accounting %s%s",
                w.round(), w.hub(), w.kind(), w.flooded() ? "flooded" : "unflooded", w.seconds(),
                w.gbps() < 0 ? "–" : String.format(Locale.ROOT, "%.3f Gbit/s (%d retransmits)", w.gbps(), w.retransmits()),
                w.pingReceived(), w.pingSent(), ms(w.rttAvgMs()), ms(w.rttMaxMs()), w.hubCpuSeconds() / w.seconds(),
                w.rssKb() / 1024, w.heapUsedKb() < 0 ? "" : String.format(Locale.ROOT, ", heap used %,d MB, %d GCs",
                        w.heapUsedKb() / 1024, w.gcCount()),
                n(w.hubRx()), w.hubRx() < 0 ? "n/a" : w.hubDrops().toString(),
                w.clientDrops().isEmpty() ? "" : " (of clients' packets: " + w.clientDrops() + ")", n(w.kernelDrops()),
                w.socketDrops(),
                n(w.cookieRepliesSent()), w.accounting(),
                w.floodPps() > 0 ? String.format(Locale.ROOT, ", flooder sent %,.0f/s (%,d behind, %,d replies, %.2f cores)",
                        w.floodPps(), w.floodBehind(), w.floodReplies(), w.benchCpuSeconds() / w.seconds()) : "");
    }

    private static String n(long x) {
        return x < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", x);
    }

    private static String ms(double x) {
        return Double.isNaN(x) ? "–" : String.format(Locale.ROOT, "%.2f", x);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs.stream().filter(x -> !Double.isNaN(x)).toList());
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double max(List<Double> xs) {
        return xs.stream().filter(x -> !Double.isNaN(x)).mapToDouble(x -> x).max().orElse(Double.NaN);
    }

    private static double min(List<Double> xs) {
        return xs.stream().filter(x -> !Double.isNaN(x)).mapToDouble(x -> x).min().orElse(Double.NaN);
    }

    /** One flood kind on one hub: its pairs by round, the unflooded window first. */
    record Group(String kind, String hub, List<FloodBench.Window[]> pairs) {
        List<Double> of(boolean flooded, ToDoubleFunction<FloodBench.Window> f) {
            return pairs.stream().map(p -> f.applyAsDouble(p[flooded ? 1 : 0])).toList();
        }

        /** Flooded ÷ unflooded TCP per round (where both ran TCP). */
        List<Double> ratios() {
            return pairs.stream().filter(p -> p[0].gbps() > 0 && p[1].gbps() >= 0).map(p -> p[1].gbps() / p[0].gbps()).toList();
        }
    }

    /** Successful pairs grouped by flood kind, then hub, in first-seen order. */
    static List<Group> groups(List<FloodBench.Window> results) {
        Map<String, Group> g = new LinkedHashMap<>();
        Map<String, FloodBench.Window> firsts = new LinkedHashMap<>();
        for (FloodBench.Window w : results) {
            String key = w.kind() + "|" + w.hub();
            Group group = g.computeIfAbsent(key, k -> new Group(w.kind(), w.hub(), new ArrayList<>()));
            String pairKey = key + "|" + w.round();
            if (!w.flooded()) {
                firsts.put(pairKey, w);
            } else {
                FloodBench.Window first = firsts.remove(pairKey);
                if (first != null && first.failure() == null && w.failure() == null) {
                    group.pairs().add(new FloodBench.Window[] {first, w});
                }
            }
        }
        return new ArrayList<>(g.values());
    }

    /** Whether {@code g} meets issue 17's target for its kind: "met", "missed (...)", or "–" (none set). */
    static String target(Group g) {
        if (g.pairs().isEmpty()) {
            return "–";
        }
        double ratio = median(g.ratios());
        double worstLoss = max(g.of(true, FloodBench.Window::pingLossPercent));
        return switch (FloodKind.of(g.kind())) {
            case NONE -> "– (noise floor)";
            case TCP_BESIDE_PING -> {
                double loss = median(g.of(true, FloodBench.Window::pingLossPercent));
                yield loss <= BESIDE_TCP_PING_LOSS ? "met (loss ≤ 1%)"
                        : String.format(Locale.ROOT, "missed (loss %.1f%% > 1%%)", loss);
            }
            case SPRAY -> ratio >= SPRAY_TCP_RATIO ? "met (TCP ≥ 0.9)"
                    : String.format(Locale.ROOT, "missed (TCP %.3f < 0.9)", ratio);
            default -> {
                List<String> why = new ArrayList<>();
                if (!(ratio >= FLOOD_TCP_RATIO)) {
                    why.add(String.format(Locale.ROOT, "TCP %.3f < 0.8", ratio));
                }
                if (!(worstLoss == 0)) {
                    why.add(String.format(Locale.ROOT, "ping loss up to %.1f%%", worstLoss));
                }
                yield why.isEmpty() ? "met (TCP ≥ 0.8, no ping lost)" : "missed (" + String.join(", ", why) + ")";
            }
        };
    }

    static String markdown(List<FloodBench.Window> results, String args, String environment) {
        StringBuilder sb = new StringBuilder();
        sb.append("Command: `java --enable-native-access=ALL-UNNAMED -cp \"bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*\""
                + " io.switchyard.bench.flood.FloodBench ").append(args).append("`\n\n").append(environment).append("\n\n");
        List<Group> groups = groups(results);
        sb.append("What the clients kept: iperf3 TCP a→b at the receiver and c's ping to b (0.1 s apart), without and"
                + " with the flood in each round's pair (tcp-beside-ping: c's ping alone, then beside the TCP flow).\n\n");
        sb.append("| flood | hub | TCP without, Gbit/s | TCP with, Gbit/s | with ÷ without (median, min..max) | ping loss with, %"
                + " (median, max) | ping loss without, % | ping avg / max with, ms | flooder sent/s (cores) | target | pairs |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Group g : groups) {
            if (g.pairs().isEmpty()) {
                continue;
            }
            List<Double> ratios = g.ratios();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %d |%n",
                    g.kind(), g.hub(), gbit(median(g.of(false, FloodBench.Window::gbps))),
                    gbit(median(g.of(true, FloodBench.Window::gbps))),
                    ratios.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f (%.2f..%.2f)", median(ratios), min(ratios), max(ratios)),
                    String.format(Locale.ROOT, "%.1f (%.1f)", median(g.of(true, FloodBench.Window::pingLossPercent)),
                            max(g.of(true, FloodBench.Window::pingLossPercent))),
                    String.format(Locale.ROOT, "%.1f", median(g.of(false, FloodBench.Window::pingLossPercent))),
                    ms(median(g.of(true, FloodBench.Window::rttAvgMs))), ms(max(g.of(true, FloodBench.Window::rttMaxMs))),
                    FloodKind.of(g.kind()).floods() ? String.format(Locale.ROOT, "%,.0f (%.2f)",
                            median(g.of(true, FloodBench.Window::floodPps)), median(g.of(true, w -> w.benchCpuSeconds() / w.seconds())))
                            : "–",
                    target(g), g.pairs().size()));
        }
        sb.append("\nWhat it cost the hub (per window, medians; rx, drops and socket drops of the flooded window; the"
                + " clients' drops are those of packets from or to a, b and c, without and with the flood).\n\n");
        sb.append("| flood | hub | hub CPU, cores: without → with | hub CPU s per Gbit of TCP, with | VmRSS max, MB"
                + " | heap used max, MB / GCs per window | hub rx | hub drops by reason | clients' drops without | clients' drops with"
                + " | io.kernel_drops / socket drops | cookie replies sent | accounting |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Group g : groups) {
            if (g.pairs().isEmpty()) {
                continue;
            }
            List<Double> perGbit = g.pairs().stream().filter(p -> p[1].tcpBytes() > 0)
                    .map(p -> p[1].hubCpuSeconds() / (p[1].tcpBytes() * 8 / 1e9)).toList();
            boolean ours = g.pairs().get(0)[1].hubRx() >= 0;
            long balanced = g.pairs().stream().filter(p -> p[0].accounting().startsWith("balanced")
                    && p[1].accounting().startsWith("balanced")).count();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f → %.2f | %s | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    g.kind(), g.hub(), median(g.of(false, w -> w.hubCpuSeconds() / w.seconds())),
                    median(g.of(true, w -> w.hubCpuSeconds() / w.seconds())),
                    perGbit.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f", median(perGbit)),
                    max(g.pairs().stream().flatMap(p -> List.of(p[0], p[1]).stream()).map(w -> w.rssKb() / 1024.0).toList()),
                    ours ? String.format(Locale.ROOT, "%,.0f / %.0f",
                            max(g.pairs().stream().flatMap(p -> List.of(p[0], p[1]).stream())
                                    .map(w -> w.heapUsedKb() / 1024.0).toList()),
                            median(g.of(true, w -> w.gcCount()))) : "n/a",
                    ours ? String.format(Locale.ROOT, "%,.0f", median(g.of(true, w -> w.hubRx()))) : "n/a",
                    ours ? drops(g, true, FloodBench.Window::hubDrops) : "n/a",
                    ours ? drops(g, false, FloodBench.Window::clientDrops) : "n/a",
                    ours ? drops(g, true, FloodBench.Window::clientDrops) : "n/a",
                    (ours ? String.format(Locale.ROOT, "%,.0f", median(g.of(true, w -> w.kernelDrops()))) : "n/a")
                            + String.format(Locale.ROOT, " / %,.0f", median(g.of(true, w -> w.socketDrops()))),
                    ours ? String.format(Locale.ROOT, "%,.0f", median(g.of(true, w -> w.cookieRepliesSent()))) : "n/a",
                    ours ? balanced + " of " + g.pairs().size() + " pairs balanced" + offBy(g) : "n/a"));
        }
        List<FloodBench.Window> failed = results.stream().filter(w -> w.failure() != null && w.flooded()).toList();
        if (!failed.isEmpty()) {
            sb.append("\nFailed pairs:\n\n");
            for (FloodBench.Window w : failed) {
                sb.append("- round ").append(w.round()).append(", ").append(w.hub()).append(", ").append(w.kind()).append(": ")
                        .append(w.failure().lines().findFirst().orElse("")).append('\n');
            }
        }
        return sb.toString();
    }

    private static String gbit(double x) {
        return Double.isNaN(x) || x < 0 ? "–" : String.format(Locale.ROOT, "%.3f", x);
    }

    private static String offBy(Group g) {
        List<String> off = g.pairs().stream().flatMap(p -> List.of(p[0], p[1]).stream()).map(FloodBench.Window::accounting)
                .filter(a -> !a.startsWith("balanced")).toList();
        return off.isEmpty() ? "" : " (" + String.join(", ", off) + ")";
    }

    /**
     * Drops by reason of the unflooded or the flooded windows ({@code which} picks the map): per
     * reason the median per window, largest first, at most five.
     */
    static String drops(Group g, boolean flooded, java.util.function.Function<FloodBench.Window, Map<String, Long>> which) {
        Map<String, List<Double>> byReason = new LinkedHashMap<>();
        int w = flooded ? 1 : 0;
        for (FloodBench.Window[] p : g.pairs()) {
            which.apply(p[w]).keySet().forEach(r -> byReason.putIfAbsent(r, new ArrayList<>()));
        }
        for (FloodBench.Window[] p : g.pairs()) {
            byReason.forEach((r, l) -> l.add((double) which.apply(p[w]).getOrDefault(r, 0L)));
        }
        List<Map.Entry<String, Double>> med = new ArrayList<>();
        byReason.forEach((r, l) -> med.add(Map.entry(r, median(l))));
        med.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < Math.min(5, med.size()); i++) {
            parts.add(String.format(Locale.ROOT, "%s %,.0f", med.get(i).getKey(), med.get(i).getValue()));
        }
        if (med.size() > 5) {
            parts.add("+" + (med.size() - 5) + " more");
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    static String json(List<FloodBench.Window> results) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            FloodBench.Window w = results.get(i);
            String drops = jsonMap(w.hubDrops());
            String clientDrops = jsonMap(w.clientDrops());
            sb.append(String.format(Locale.ROOT, "  {\"round\":%d,\"hub\":\"%s\",\"flood\":\"%s\",\"flooded\":%b,\"seconds\":%.3f,"
                            + "\"tcpGbps\":%s,\"tcpBytes\":%d,\"retransmits\":%d,\"pingSent\":%d,\"pingReceived\":%d,"
                            + "\"rttAvgMs\":%s,\"rttMaxMs\":%s,\"hubCpuSeconds\":%.3f,\"rssKb\":%d,\"heapUsedKb\":%d,"
                            + "\"gcCount\":%d,\"hubRx\":%d,\"hubDrops\":%s,\"clientDrops\":%s,\"kernelDrops\":%d,\"socketDrops\":%d,"
                            + "\"cookieRepliesSent\":%d,\"accounting\":\"%s\",\"floodPps\":%.1f,\"floodBehind\":%d,"
                            + "\"floodReplies\":%d,\"benchCpuSeconds\":%.3f,\"failure\":%s}%s%n",
                    w.round(), w.hub(), w.kind(), w.flooded(), w.seconds(), num(w.gbps()), w.tcpBytes(), w.retransmits(),
                    w.pingSent(), w.pingReceived(), num(w.rttAvgMs()), num(w.rttMaxMs()), w.hubCpuSeconds(), w.rssKb(),
                    w.heapUsedKb(), w.gcCount(), w.hubRx(), drops, clientDrops, w.kernelDrops(), w.socketDrops(), w.cookieRepliesSent(),
                    escape(w.accounting()), w.floodPps(), w.floodBehind(), w.floodReplies(), w.benchCpuSeconds(),
                    w.failure() == null ? "null" : "\"" + escape(w.failure()) + "\"", i + 1 < results.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }

    private static String jsonMap(Map<String, Long> m) {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append('"').append(escape(k)).append("\":").append(v));
        return b.append('}').toString();
    }

    /** A JSON number, or null for NaN and the -1 of "not measured". */
    private static String num(double x) {
        return Double.isNaN(x) || x < 0 ? "null" : String.format(Locale.ROOT, "%.4f", x);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
