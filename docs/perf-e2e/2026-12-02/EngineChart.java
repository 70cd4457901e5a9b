import java.nio.file.*;
import java.util.*;
import java.util.regex.*;
import org.knowm.xchart.*;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws forwarding-1420B-engines.png from the four runs' forwarding.json (see docs/perf-e2e.md, run of 2026-12-02). */
public class EngineChart {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        XYChart c = new XYChartBuilder().width(760).height(460)
                .title("1,420 B inner, one hub on 2 cores, 2026-12-02: AEAD engine")
                .xAxisTitle("offered packets/s").yAxisTitle("forwarded packets/s (median of 5 rounds)").build();
        c.getStyler().setYAxisMin(0.0); c.getStyler().setYAxisDecimalPattern("#,###"); c.getStyler().setXAxisDecimalPattern("#,###"); c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        Pattern p = Pattern.compile("\"offered\":(\\d+).*?\"pps\":([0-9.]+)");
        for (String[] s : new String[][] {{"1420B-vector-true-run1", "vector kernel, run 1"}, {"1420B-vector-true-run2", "vector kernel, run 2"},
                {"1420B-vector-false-run1", "JDK cipher, run 1"}, {"1420B-vector-false-run2", "JDK cipher, run 2"}}) {
            TreeMap<Long, List<Double>> m = new TreeMap<>();
            for (String line : Files.readAllLines(dir.resolve(s[0]).resolve("forwarding.json"))) {
                Matcher x = p.matcher(line);
                if (x.find()) m.computeIfAbsent(Long.parseLong(x.group(1)), k -> new ArrayList<>()).add(Double.parseDouble(x.group(2)));
            }
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (var e : m.entrySet()) { List<Double> v = e.getValue(); Collections.sort(v); xs.add((double) e.getKey()); ys.add(v.get(v.size() / 2)); }
            c.addSeries(s[1], xs, ys);
        }
        double target = 3.0e9 / (1420 * 8);
        c.addSeries("target: 3.0 Gbit/s", List.of(250000.0, 350000.0), List.of(target, target)).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(c, dir.resolve("forwarding-1420B-engines").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
