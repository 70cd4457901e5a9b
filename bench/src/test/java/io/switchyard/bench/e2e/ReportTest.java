package io.switchyard.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static ForwardingBench.Result result(int round, String variant, double pps, long hubDrops, double batch) {
        return new ForwardingBench.Result(0, round, variant, 64, 2, pps, pps * 64 * 8 / 1e9, hubDrops, batch, batch, false,
                pps * 2, 3, 5);
    }

    @Test
    void ratiosAreToTheFirstVariantRoundByRoundAndUnmeasuredFiguresSayNA() {
        List<ForwardingBench.Result> rs = List.of(
                result(1, "wggo", 100, -1, Double.NaN), result(1, "gso", 400, 0, 64),
                result(2, "wggo", 200, -1, Double.NaN), result(2, "gso", 600, 0, 64));
        String md = Report.markdown(rs, "--variants wggo,gso", "wggo");
        String wggo = md.lines().filter(l -> l.startsWith("| 64 | flat out | wggo |")).findFirst().orElseThrow();
        String gso = md.lines().filter(l -> l.startsWith("| 64 | flat out | gso |")).findFirst().orElseThrow();
        assertTrue(md.contains("ratio vs wggo"), md);
        // per-round ratios 4.0 and 3.0: their median, not the ratio of the medians (500 / 150)
        assertTrue(gso.contains("| 3.50× |"), gso);
        assertTrue(wggo.contains("| 1.00× |"), wggo);
        // another process: hub drops and batch figures were not read
        String[] cells = wggo.split("\\|");
        assertEquals("n/a", cells[9].strip(), wggo);
        assertEquals("n/a", cells[12].strip(), wggo);
        assertEquals("n/a", cells[13].strip(), wggo);
        assertEquals("0", gso.split("\\|")[9].strip(), gso);
        // generator sent (2x pps), hub socket drops 5, sink drops 3
        assertEquals("300", cells[8].strip(), wggo);
        assertEquals("5", cells[10].strip(), wggo);
        assertEquals("3", cells[11].strip(), wggo);
    }

    @Test
    void jsonWritesNullForFiguresNotMeasured() {
        String json = Report.json(List.of(result(1, "wggo", 100, -1, Double.NaN)));
        assertTrue(json.contains("\"datagramsPerReceive\":null,\"datagramsPerSend\":null"), json);
        assertTrue(json.contains("\"hubDrops\":-1"), json);
        assertTrue(json.contains("\"sentPps\":200.0,\"sinkKernelDrops\":3,\"hubSocketDrops\":5"), json);
    }
}
