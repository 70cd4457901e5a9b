package io.switchyard.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static ForwardingBench.Result result(int round, String variant, double pps, long hubDrops, double batch) {
        return result(round, variant, 4, pps, hubDrops, batch);
    }

    private static ForwardingBench.Result result(int round, String variant, int family, double pps, long hubDrops, double batch) {
        return new ForwardingBench.Result(0, round, variant, family, 64, 2, pps, pps * 64 * 8 / 1e9, hubDrops, batch, batch, false,
                pps * 2, 3, 5);
    }

    @Test
    void ratiosAreToTheFirstVariantRoundByRoundAndUnmeasuredFiguresSayNA() {
        List<ForwardingBench.Result> rs = List.of(
                result(1, "wggo", 100, -1, Double.NaN), result(1, "gso", 400, 0, 64),
                result(2, "wggo", 200, -1, Double.NaN), result(2, "gso", 600, 0, 64));
        String md = Report.markdown(rs, "--variants wggo,gso", "wggo");
        String wggo = md.lines().filter(l -> l.startsWith("| 64 | flat out | wggo | IPv4 |")).findFirst().orElseThrow();
        String gso = md.lines().filter(l -> l.startsWith("| 64 | flat out | gso | IPv4 |")).findFirst().orElseThrow();
        assertTrue(!md.contains("IPv6 vs IPv4"), "one family: no IPv6 column\n" + md);
        assertTrue(md.contains("ratio vs wggo"), md);
        // per-round ratios 4.0 and 3.0: their median, not the ratio of the medians (500 / 150)
        assertTrue(gso.contains("| 3.50× |"), gso);
        assertTrue(wggo.contains("| 1.00× |"), wggo);
        // another process: hub drops and batch figures were not read
        String[] cells = wggo.split("\\|");
        assertEquals("n/a", cells[10].strip(), wggo);
        assertEquals("n/a", cells[13].strip(), wggo);
        assertEquals("n/a", cells[14].strip(), wggo);
        assertEquals("0", gso.split("\\|")[10].strip(), gso);
        // generator sent (2x pps), hub socket drops 5, sink drops 3
        assertEquals("300", cells[9].strip(), wggo);
        assertEquals("5", cells[11].strip(), wggo);
        assertEquals("3", cells[12].strip(), wggo);
    }

    @Test
    void eachFamilyIsARowWithRatiosToTheBaselineOverTheSameFamilyAndIpv6ToIpv4RoundByRound() {
        List<ForwardingBench.Result> rs = List.of(
                result(1, "nio", 4, 100, 0, 1), result(1, "nio", 6, 50, 0, 1),
                result(1, "gso", 4, 400, 0, 1), result(1, "gso", 6, 380, 0, 1),
                result(2, "nio", 4, 200, 0, 1), result(2, "nio", 6, 100, 0, 1),
                result(2, "gso", 4, 500, 0, 1), result(2, "gso", 6, 500, 0, 1),
                result(3, "nio", 4, 100, 0, 1), result(3, "nio", 6, 100, 0, 1),
                result(3, "gso", 4, 400, 0, 1), result(3, "gso", 6, 420, 0, 1));
        String md = Report.markdown(rs, "--variants nio,gso --families 4,6", "nio", "a note");
        assertTrue(md.contains("\n\na note\n\n"), md);
        String head = md.lines().filter(l -> l.startsWith("| inner B |")).findFirst().orElseThrow();
        assertEquals("IP", head.split("\\|")[4].strip(), head);
        assertEquals("IPv6 vs IPv4 (per-round median, min..max)", head.split("\\|")[9].strip(), head);
        String gso4 = md.lines().filter(l -> l.startsWith("| 64 | flat out | gso | IPv4 |")).findFirst().orElseThrow();
        String gso6 = md.lines().filter(l -> l.startsWith("| 64 | flat out | gso | IPv6 |")).findFirst().orElseThrow();
        String nio6 = md.lines().filter(l -> l.startsWith("| 64 | flat out | nio | IPv6 |")).findFirst().orElseThrow();
        // gso over IPv6 against nio over IPv6: 7.6, 5.0, 4.2 per round
        assertEquals("5.00×", gso6.split("\\|")[8].strip(), gso6);
        // gso over IPv4 against nio over IPv4: 4.0, 2.5, 4.0
        assertEquals("4.00×", gso4.split("\\|")[8].strip(), gso4);
        // IPv6 against IPv4, same variant and round: 0.95, 1.0, 1.05
        assertEquals("1.000× (0.950..1.050)", gso6.split("\\|")[9].strip(), gso6);
        assertEquals("–", gso4.split("\\|")[9].strip(), gso4);
        assertEquals("0.500× (0.500..1.000)", nio6.split("\\|")[9].strip(), nio6);
        assertEquals("3", gso6.split("\\|")[16].strip(), gso6);
        assertTrue(Report.json(rs).contains("\"variant\":\"gso\",\"family\":6,\"innerBytes\":64"), Report.json(rs));
    }

    @Test
    void jsonWritesNullForFiguresNotMeasured() {
        String json = Report.json(List.of(result(1, "wggo", 100, -1, Double.NaN)));
        assertTrue(json.contains("\"datagramsPerReceive\":null,\"datagramsPerSend\":null"), json);
        assertTrue(json.contains("\"hubDrops\":-1"), json);
        assertTrue(json.contains("\"sentPps\":200.0,\"sinkKernelDrops\":3,\"hubSocketDrops\":5"), json);
    }
}
