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

/** Markdown, JSON and PNG charts of {@link ForwardingBench} results: medians per inner size and variant. */
final class Report {
    private Report() {}

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Results grouped by inner size and offered rate ("64 B, offered 200000"), then variant (first-seen order). */
    static Map<String, Map<String, List<ForwardingBench.Result>>> group(List<ForwardingBench.Result> results) {
        Map<String, Map<String, List<ForwardingBench.Result>>> g = new LinkedHashMap<>();
        for (ForwardingBench.Result r : results) {
            g.computeIfAbsent(key(r), k -> new LinkedHashMap<>()).computeIfAbsent(r.variant(), k -> new ArrayList<>()).add(r);
        }
        return g;
    }

    static String key(ForwardingBench.Result r) {
        return r.innerBytes() + " | " + (r.offered() == 0 ? "flat out" : String.format(Locale.ROOT, "%,d", r.offered()));
    }

    /**
     * The table: per inner size and offered rate, one row per variant with its median and the median of its
     * per-round ratios to {@code baseline} (the first variant of the command, usually nio).
     */
    static String markdown(List<ForwardingBench.Result> results, String args, String baseline) {
        StringBuilder sb = new StringBuilder();
        sb.append("Command: `java --enable-native-access=ALL-UNNAMED -cp \"bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*\" io.switchyard.bench.e2e.ForwardingBench ")
                .append(args).append("`\n\n");
        sb.append("| inner B | offered pps | hub | median pps | min..max pps | Gbit/s inner | ratio vs " + baseline
                + " (per-round median) | generator sent pps | hub drops/round | hub socket drops/round | sink drops/round"
                + " | datagrams per receive"
                + " | datagrams per send | rounds |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var bySize : group(results).entrySet()) {
            List<ForwardingBench.Result> base = bySize.getValue().get(baseline);
            for (var e : bySize.getValue().entrySet()) {
                List<ForwardingBench.Result> rs = e.getValue();
                List<Double> pps = rs.stream().map(ForwardingBench.Result::pps).toList();
                double med = median(pps);
                String ratio = "–";
                if (base != null) {
                    List<Double> ratios = new ArrayList<>();
                    for (ForwardingBench.Result r : rs) {
                        base.stream().filter(b -> b.round() == r.round()).findFirst()
                                .ifPresent(b -> ratios.add(r.pps() / b.pps()));
                    }
                    ratio = String.format(Locale.ROOT, "%.2f×", median(ratios));
                }
                int inner = rs.get(0).innerBytes();
                double hubDrops = median(rs.stream().map(r -> (double) r.hubDrops()).toList());
                sb.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f..%,.0f | %.3f | %s | %,.0f | %s | %,.0f | %,.0f | %s | %s | %d%s |%n",
                        bySize.getKey(), e.getKey(), med, pps.stream().mapToDouble(x -> x).min().orElse(0),
                        pps.stream().mapToDouble(x -> x).max().orElse(0), med * inner * 8 / 1e9, ratio,
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
            sb.append(String.format(Locale.ROOT, "  {\"offered\":%d,\"round\":%d,\"variant\":\"%s\",\"innerBytes\":%d,\"pairs\":%d,\"pps\":%.1f,"
                            + "\"gbps\":%.4f,\"hubDrops\":%d,\"datagramsPerReceive\":%s,\"datagramsPerSend\":%s,"
                            + "\"generatorExhausted\":%b,\"sentPps\":%.1f,\"sinkKernelDrops\":%d,\"hubSocketDrops\":%d}%s%n", r.offered(), r.round(),
                    r.variant(), r.innerBytes(), r.pairs(), r.pps(), r.gbps(), r.hubDrops(), num(r.recvBatch()),
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
        Map<Integer, Map<String, TreeMap<Long, List<Double>>>> bySize = new TreeMap<>();
        for (ForwardingBench.Result r : results) {
            if (r.offered() == 0) {
                continue; // "flat out" has no x position; it is in the table
            }
            bySize.computeIfAbsent(r.innerBytes(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.variant(), k -> new TreeMap<>())
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
