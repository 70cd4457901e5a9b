package io.switchyard.bench.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FloodReportTest {
    private static FloodBench.Window w(int round, String hub, String kind, boolean flooded, double gbps, int pingReceived,
            Map<String, Long> drops, String accounting) {
        boolean ours = hub.equals("switchyard");
        return new FloodBench.Window(round, hub, kind, flooded, 10, gbps, (long) (gbps * 1.25e9), 100, 100, pingReceived,
                0.5, 2.0, 5, 1_200_000, ours ? 20_000 : -1, ours ? 2 : -1, ours ? 1000 : -1, drops,
                ours ? Map.of("b peer_over_quota", 7L) : Map.of(), ours ? 0 : -1, 3, ours ? 0 : -1, accounting,
                flooded ? 20_000 : 0, 0, 0, flooded ? 3 : 0.1, null);
    }

    @Test
    void ratiosArePerRoundAndTargetsSayWhatWasMissed() {
        List<FloodBench.Window> rs = List.of(
                w(1, "switchyard", "garbage", false, 1.0, 100, Map.of(), "balanced"),
                w(1, "switchyard", "garbage", true, 0.9, 100, Map.of("malformed", 900L, "unknown_index", 100L), "balanced"),
                w(1, "wggo", "garbage", false, 1.0, 100, Map.of(), "n/a"),
                w(1, "wggo", "garbage", true, 0.5, 98, Map.of(), "n/a"),
                w(2, "switchyard", "garbage", false, 2.0, 100, Map.of(), "balanced"),
                w(2, "switchyard", "garbage", true, 1.0, 100, Map.of("malformed", 1100L), "off by 3 (3 buffers held)"),
                w(2, "wggo", "garbage", false, 1.0, 100, Map.of(), "n/a"),
                w(2, "wggo", "garbage", true, 0.7, 100, Map.of(), "n/a"),
                FloodBench.Window.failed(3, "wggo", "garbage", false, "IOException: gone"),
                FloodBench.Window.failed(3, "wggo", "garbage", true, "IOException: gone"));
        String md = FloodReport.markdown(rs, "--rounds 3", "env");
        String sy = row(md, "| garbage | switchyard | 1.500 |");
        // per-round ratios 0.9 and 0.5: their median 0.70, not 0.95 / 1.5
        assertTrue(sy.contains("| 0.70 (0.50..0.90) |"), sy);
        assertTrue(sy.contains("missed (TCP 0.700 < 0.8)"), sy);
        String wg = row(md, "| garbage | wggo |");
        assertTrue(wg.contains("| 0.60 (0.50..0.70) |"), wg);
        assertTrue(wg.contains("ping loss up to 2.0%"), wg);
        assertTrue(wg.contains("| 2 |"), "the failed round is not a pair: " + wg);
        String cost = md.lines().filter(l -> l.startsWith("| garbage | switchyard | 0.50 → 0.50 |")).findFirst().orElseThrow();
        assertTrue(cost.contains("malformed 1,000, unknown_index 50"), cost);
        assertTrue(cost.contains("b peer_over_quota 7"), cost);
        assertTrue(cost.contains("1 of 2 pairs balanced (off by 3 (3 buffers held))"), cost);
        String wgCost = md.lines().filter(l -> l.startsWith("| garbage | wggo | 0.50 → 0.50 |")).findFirst().orElseThrow();
        assertTrue(wgCost.contains("| n/a / 3 |"), "socket drops are read for every hub: " + wgCost);
        assertTrue(md.contains("- round 3, wggo, garbage: IOException: gone"), md);
        assertTrue(sy.contains("| 20,000 (0.30) |"), "flooder rate and its CPU: " + sy);
    }

    @Test
    void theBenignCaseIsJudgedByPingLossAndTheSprayByTcp() {
        List<FloodBench.Window> rs = List.of(
                w(1, "wggo", "tcp-beside-ping", false, -1, 100, Map.of(), "n/a"),
                w(1, "wggo", "tcp-beside-ping", true, 1.0, 99, Map.of(), "n/a"),
                w(1, "wggo", "spray", false, 1.0, 100, Map.of(), "n/a"),
                w(1, "wggo", "spray", true, 0.95, 100, Map.of(), "n/a"));
        String md = FloodReport.markdown(rs, "", "");
        assertTrue(row(md, "| tcp-beside-ping | wggo |").contains("met (loss ≤ 1%)"), md);
        assertTrue(row(md, "| tcp-beside-ping | wggo |").contains("| – | 1.000 | – |"), "no TCP alone, no ratio: " + md);
        assertTrue(row(md, "| spray | wggo |").contains("met (TCP ≥ 0.9)"), md);
    }

    @Test
    void jsonHasOneObjectPerWindowAndFloodNamesParse() {
        String json = FloodReport.json(List.of(w(1, "switchyard", "cookies", true, 1.0, 100, Map.of("bad_cookie_reply", 5L),
                "balanced"), FloodBench.Window.failed(1, "wggo", "cookies", true, "said \"no\"\nthen more")));
        assertTrue(json.startsWith("[\n  {\"round\":1,\"hub\":\"switchyard\",\"flood\":\"cookies\",\"flooded\":true"), json);
        assertTrue(json.contains("\"hubDrops\":{\"bad_cookie_reply\":5}"), json);
        assertTrue(json.contains("\"failure\":\"said \\\"no\\\"\\nthen more\"}\n]"), json);
        assertTrue(json.contains("\"tcpGbps\":null"), "not measured is null: " + json);
        assertEquals(List.of(FloodKind.SPRAY, FloodKind.GARBAGE), FloodKind.list("spray, garbage,spray"));
        assertThrows(IllegalArgumentException.class, () -> FloodKind.of("udp"));
    }

    private static String row(String md, String prefix) {
        return md.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + "\n" + md));
    }
}
