package io.switchyard.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Markdown, JSON and PNG charts of {@link ForwardingBench} results: medians per inner size, variant and outer IP version. */
final class Report {
    private Report() {}

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /**
     * Results grouped by inner size and offered rate ("64 | flat out"), then variant and outer IP
     * version ("gso IPv6"; first-seen order).
     */
    static Map<String, Map<String, List<ForwardingBench.Result>>> group(List<ForwardingBench.Result> results) {
        Map<String, Map<String, List<ForwardingBench.Result>>> g = new LinkedHashMap<>();
        for (ForwardingBench.Result r : results) {
            g.computeIfAbsent(key(r), k -> new LinkedHashMap<>()).computeIfAbsent(row(r), k -> new ArrayList<>()).add(r);
        }
        return g;
    }

    /** A row of the table: a variant over one outer IP version. */
    static String row(ForwardingBench.Result r) {
        return r.variant() + " IPv" + r.family();
    }

    /** The median of the per-round ratios of {@code rs} to {@code base} (same round), with their min and max. */
    private static double[] perRoundRatios(List<ForwardingBench.Result> rs, List<ForwardingBench.Result> base) {
        List<Double> ratios = new ArrayList<>();
        for (ForwardingBench.Result r : rs) {
            base.stream().filter(b -> b.round() == r.round()).findFirst().ifPresent(b -> ratios.add(r.pps() / b.pps()));
        }
        return new double[] {median(ratios), ratios.stream().mapToDouble(x -> x).min().orElse(Double.NaN),
                ratios.stream().mapToDouble(x -> x).max().orElse(Double.NaN)};
    }

    static String key(ForwardingBench.Result r) {
        return r.innerBytes() + " | " + (r.offered() == 0 ? "flat out" : String.format(Locale.ROOT, "%,d", r.offered()));
    }

    /** {@link #markdown(List, String, String, String)} without a note. */
    static String markdown(List<ForwardingBench.Result> results, String args, String baseline) {
        return markdown(results, args, baseline, "");
    }

    /**
     * The table: per inner size and offered rate, one row per variant and outer IP version with its median
     * and the median of its per-round ratios to {@code baseline} (the first variant of the command, usually
     * nio) over the same IP version. When the results hold both IPv4 and IPv6, a column gives each IPv6
     * row's per-round ratios to the same variant over IPv4 (median, min..max). {@code note}, if not empty,
     * is a line under the command.
     */
    static String markdown(List<ForwardingBench.Result> results, String args, String baseline, String note) {
        boolean bothFamilies = results.stream().map(ForwardingBench.Result::family).distinct().count() > 1;
        StringBuilder sb = new StringBuilder();
        sb.append("Command: `java --enable-native-access=ALL-UNNAMED -cp \"bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*\" io.switchyard.bench.e2e.ForwardingBench ")
                .append(args).append("`\n\n");
        if (!note.isEmpty()) {
            sb.append(note).append("\n\n");
        }
        sb.append("| inner B | offered pps | hub | IP | median pps | min..max pps | Gbit/s inner | ratio vs " + baseline
                + " (per-round median) |" + (bothFamilies ? " IPv6 vs IPv4 (per-round median, min..max) |" : "")
                + " generator sent pps | hub drops/round | hub socket drops/round | sink drops/round"
                + " | datagrams per receive"
                + " | datagrams per send | rounds |\n");
        sb.append("|---|---|---|---|---|---|---|---|" + (bothFamilies ? "---|" : "") + "---|---|---|---|---|---|---|\n");
        for (var bySize : group(results).entrySet()) {
            for (var e : bySize.getValue().entrySet()) {
                List<ForwardingBench.Result> rs = e.getValue();
                ForwardingBench.Result first = rs.get(0);
                List<Double> pps = rs.stream().map(ForwardingBench.Result::pps).toList();
                double med = median(pps);
                String ratio = "–";
                List<ForwardingBench.Result> base = bySize.getValue().get(baseline + " IPv" + first.family());
                if (base != null) {
                    ratio = String.format(Locale.ROOT, "%.2f×", perRoundRatios(rs, base)[0]);
                }
                String vs4 = "";
                if (bothFamilies) {
                    List<ForwardingBench.Result> v4 = bySize.getValue().get(first.variant() + " IPv4");
                    if (first.family() == 6 && v4 != null) {
                        double[] q = perRoundRatios(rs, v4);
                        vs4 = String.format(Locale.ROOT, " %.3f× (%.3f..%.3f) |", q[0], q[1], q[2]);
                    } else {
                        vs4 = " – |";
                    }
                }
                int inner = first.innerBytes();
                double hubDrops = median(rs.stream().map(r -> (double) r.hubDrops()).toList());
                sb.append(String.format(Locale.ROOT, "| %s | %s | IPv%d | %,.0f | %,.0f..%,.0f | %.3f | %s |%s %,.0f | %s | %,.0f | %,.0f | %s | %s | %d%s |%n",
                        bySize.getKey(), first.variant(), first.family(), med, pps.stream().mapToDouble(x -> x).min().orElse(0),
                        pps.stream().mapToDouble(x -> x).max().orElse(0), med * inner * 8 / 1e9, ratio, vs4,
                        median(rs.stream().map(ForwardingBench.Result::sentPps).toList()),
                        hubDrops < 0 ? "n/a" : String.format(Locale.ROOT, "%,.0f", hubDrops),
                        median(rs.stream().map(r -> (double) r.hubSocketDrops()).toList()),
                        median(rs.stream().map(r -> (double) r.sinkKernelDrops()).toList()),
                        oneDecimal(median(rs.stream().map(ForwardingBench.Result::recvBatch).toList())),
                        oneDecimal(median(rs.stream().map(ForwardingBench.Result::segmentsPerTrain).toList())), rs.size(),
                        rs.stream().anyMatch(ForwardingBench.Result::generatorExhausted) ? " (generator ran dry)" : ""));
            }
        }
        return sb.toString();
    }

    static String json(List<ForwardingBench.Result> results) {
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < results.size(); i++) {
            ForwardingBench.Result r = results.get(i);
            sb.append(String.format(Locale.ROOT, "  {\"offered\":%d,\"round\":%d,\"variant\":\"%s\",\"family\":%d,\"innerBytes\":%d,\"pairs\":%d,\"pps\":%.1f,"
                            + "\"gbps\":%.4f,\"hubDrops\":%d,\"datagramsPerReceive\":%s,\"datagramsPerSend\":%s,"
                            + "\"generatorExhausted\":%b,\"sentPps\":%.1f,\"sinkKernelDrops\":%d,\"hubSocketDrops\":%d}%s%n", r.offered(), r.round(),
                    r.variant(), r.family(), r.innerBytes(), r.pairs(), r.pps(), r.gbps(), r.hubDrops(), num(r.recvBatch()),
                    num(r.segmentsPerTrain()), r.generatorExhausted(), r.sentPps(), r.sinkKernelDrops(), r.hubSocketDrops(),
                    i + 1 < results.size() ? "," : ""));
        }
        return sb.append("]\n").toString();
    }

    /** One decimal, or "n/a" for NaN (not measured: the hub is another process). */
    private static String oneDecimal(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f", x);
    }

    /** A JSON number, or null for NaN (not measured). */
    private static String num(double x) {
        return Double.isNaN(x) ? "null" : String.format(Locale.ROOT, "%.2f", x);
    }

    static void charts(List<ForwardingBench.Result> results, Path dir) throws IOException {
        boolean bothFamilies = results.stream().map(ForwardingBench.Result::family).distinct().count() > 1;
        Map<Integer, Map<String, TreeMap<Long, List<Double>>>> bySize = new TreeMap<>();
        for (ForwardingBench.Result r : results) {
            if (r.offered() == 0) {
                continue; // "flat out" has no x position; it is in the table
            }
            bySize.computeIfAbsent(r.innerBytes(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(bothFamilies ? row(r) : r.variant(), k -> new TreeMap<>())
                    .computeIfAbsent(r.offered(), k -> new ArrayList<>()).add(r.pps());
        }
        for (var size : bySize.entrySet()) {
            XYChart chart = new XYChartBuilder().width(720).height(440)
                    .title("Forwarded vs offered, " + size.getKey() + "-byte inner packets, one hub on 2 cores")
                    .xAxisTitle("offered packets/s").yAxisTitle("packets/s at the receiving peers (median)").build();
            for (var variant : size.getValue().entrySet()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (var e : variant.getValue().entrySet()) {
                    x.add((double) e.getKey());
                    y.add(median(e.getValue()));
                }
                chart.addSeries(variant.getKey(), x, y);
            }
            BitmapEncoder.saveBitmap(chart, dir.resolve("forwarding-" + size.getKey() + "B").toString(),
                    BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
