package io.switchyard.control;

import static io.switchyard.control.testing.PrometheusParser.parse;
import static io.switchyard.control.testing.PrometheusParser.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchyard.config.Key32;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.PrometheusParser.Sample;
import io.switchyard.control.testing.TestMetrics;
import java.io.IOException;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Scrapes the metrics endpoint over real HTTP and checks every line against format 0.0.4. */
public class MetricsServerTest {
    private final Key32 a = MemoryTarget.randomPublic();
    private final Key32 b = MemoryTarget.randomPublic();

    private ControlSnapshot snapshot() {
        var counters = new LinkedHashMap<String, Long>();
        counters.put("rx_packets", 10L);
        counters.put("rx_bytes", 1000L);
        counters.put("tx_packets", 20L);
        counters.put("tx_bytes", 2000L);
        counters.put("handshakes_completed", 7L);
        counters.put("cookie_replies_sent", 8L);
        counters.put("peers", 2L);
        counters.put("gso.trains", 11L);
        counters.put("gso.segments", 99L);
        counters.put("zerocopy.completions", 5L);
        counters.put("mailbox.router.depth", 3L);
        counters.put("pool.used", 17L);
        counters.put("handshake.queue", 2L);
        counters.put("depth.looks_like_a_gauge", 4L); // a counter: the kind is the descriptor's, not the name's
        counters.put("gso-trains", 1L); // collides with gso.trains after sanitizing
        counters.put("rx.packets", 1L); // collides with rx_packets
        counters.put("peer.drops", 1L); // would reuse the family switchyard_peer_drops_total
        var metrics = TestMetrics.of(counters, "peers", "mailbox.router.depth", "pool.used", "handshake.queue");
        var peerA = new PeerSnapshot(a, Optional.empty(), Optional.of(Instant.ofEpochSecond(1700000000)),
                1, 100, 2, 200, List.of(), 0, Map.of("replay", 4L));
        var peerB = new PeerSnapshot(b, Optional.empty(), Optional.empty(), 3, 300, 4, 400, List.of(), 0, Map.of("replay", 0L));
        return new ControlSnapshot(51820, 10, 1000, 20, 2000, 7, 8,
                Map.of("bad_mac", 5L, "we\"ird\\re\nason", 1L), metrics, List.of(peerA, peerB));
    }


    @Test
    void scrapeOverHttpParsesAndCarriesEveryValue() throws Exception {
        ControlSnapshot snap = snapshot();
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> snap)) {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + m.address().getPort() + "/metrics")
                    .toURL().openConnection();
            assertEquals(200, c.getResponseCode());
            assertEquals(PrometheusText.CONTENT_TYPE, c.getContentType());
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            List<Sample> s = parse(body);
            assertEquals(10, value(s, "switchyard_rx_packets_total", Map.of()));
            assertEquals(1000, value(s, "switchyard_rx_bytes_total", Map.of()));
            assertEquals(20, value(s, "switchyard_tx_packets_total", Map.of()));
            assertEquals(2000, value(s, "switchyard_tx_bytes_total", Map.of()));
            assertEquals(7, value(s, "switchyard_handshakes_completed_total", Map.of()));
            assertEquals(8, value(s, "switchyard_cookie_replies_sent_total", Map.of()));
            assertEquals(5, value(s, "switchyard_drops_total", Map.of("reason", "bad_mac")));
            assertEquals(1, value(s, "switchyard_drops_total", Map.of("reason", "we\"ird\\re\nason")), "escaping round-trips");
            assertEquals(2, value(s, "switchyard_peers", Map.of()));
            assertEquals(100, value(s, "switchyard_peer_rx_bytes_total", Map.of("peer", a.toBase64())));
            assertEquals(4, value(s, "switchyard_peer_tx_packets_total", Map.of("peer", b.toBase64())));
            assertEquals(1700000000, value(s, "switchyard_peer_last_handshake_seconds", Map.of("peer", a.toBase64())));
            assertEquals(0, value(s, "switchyard_peer_last_handshake_seconds", Map.of("peer", b.toBase64())));
            assertEquals(4, value(s, "switchyard_peer_drops_total", Map.of("peer", a.toBase64(), "reason", "replay")));
            assertTrue(s.stream().noneMatch(x -> x.name().equals("switchyard_peer_drops_total")
                    && x.labels().get("peer").equals(b.toBase64())), "zero per-peer drops are left out");
            assertEquals(11, value(s, "switchyard_gso_trains_total", Map.of()));
            assertEquals(99, value(s, "switchyard_gso_segments_total", Map.of()));
            assertEquals(5, value(s, "switchyard_zerocopy_completions_total", Map.of()));
            assertEquals(3, value(s, "switchyard_mailbox_router_depth", Map.of()));
            assertEquals(17, value(s, "switchyard_pool_used", Map.of()));
            assertEquals(2, value(s, "switchyard_handshake_queue", Map.of()));
            assertEquals(3, value(s, "switchyard_metrics_names_dropped", Map.of()), "gso-trains, rx.packets and peer.drops collided");
            assertEquals(4, value(s, "switchyard_depth_looks_like_a_gauge_total", Map.of()));
            assertTrue(s.stream().noneMatch(x -> x.name().equals("switchyard_peers_total")), "no twin of switchyard_peers");
            assertEquals(10, value(s, "switchyard_rx_packets_total", Map.of()), "the first of two colliding names wins");
            assertTrue(body.contains("# HELP switchyard_gso_trains_total help of gso.trains\n"), "HELP is the descriptor's: " + body);
            assertTrue(body.contains("# TYPE switchyard_pool_used gauge\n"), body);
            assertTrue(body.contains("# TYPE switchyard_gso_trains_total counter\n"), body);
            assertEquals(1, value(s, "switchyard_build_info", Map.of("version", PrometheusText.VERSION,
                    "java", Runtime.version().toString())));
            assertTrue(body.contains("# TYPE switchyard_build_info gauge\n"), body);
            assertEquals(1, m.scrapes());
        }
    }

    @Test
    void healthzAnswersWithoutASnapshot() throws Exception {
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            throw new IllegalStateException("no snapshot for a health check");
        })) {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + m.address().getPort() + "/healthz")
                    .toURL().openConnection();
            assertEquals(200, c.getResponseCode());
            assertEquals("ok\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            assertEquals(0, m.scrapes());
            assertEquals(0, m.failures());
        }
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), this::snapshot)) {
            String base = "http://127.0.0.1:" + m.address().getPort();
            HttpURLConnection c = (HttpURLConnection) URI.create(base + "/other").toURL().openConnection();
            assertEquals(404, c.getResponseCode());
            c = (HttpURLConnection) URI.create(base + "/metrics").toURL().openConnection();
            c.setRequestMethod("POST");
            assertEquals(405, c.getResponseCode());
        }
    }

    @Test
    void aFailingSnapshotIsA500AndTheServerCarriesOn() throws Exception {
        int[] calls = {0};
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("boom");
            }
            return snapshot();
        })) {
            String url = "http://127.0.0.1:" + m.address().getPort() + "/metrics";
            assertEquals(500, ((HttpURLConnection) URI.create(url).toURL().openConnection()).getResponseCode());
            assertEquals(200, ((HttpURLConnection) URI.create(url).toURL().openConnection()).getResponseCode());
            assertEquals(1, m.failures());
        }
    }

    @Test
    void emptySnapshotIsStillValid() throws IOException {
        StringWriter w = new StringWriter();
        PrometheusText.write(ControlSnapshot.idle(0), w);
        List<Sample> s = parse(w.toString());
        assertEquals(0, value(s, "switchyard_metrics_names_dropped", Map.of()));
    }

    @Test
    void bytesPerPeerWithTheHubsFullDropMap() throws IOException {
        // the hub reports every drop reason for every peer, zeros included
        Map<String, Long> allZero = new java.util.LinkedHashMap<>();
        for (String r : List.of("malformed", "unknown_index", "no_buffer", "bad_mac", "cookie_required", "rate_limited",
                "handshake_queue_full", "handshake_failed", "bad_cookie_reply", "bad_tag", "replayed", "expired",
                "inner_malformed", "spoofed_source", "no_route", "reflected", "peer_queue_full", "no_endpoint",
                "staging_overflow", "handshake_gave_up", "send_failed")) {
            allZero.put(r, 0L);
        }
        int n = 1000;
        var peers = new java.util.ArrayList<PeerSnapshot>();
        for (int i = 0; i < n; i++) {
            peers.add(new PeerSnapshot(MemoryTarget.randomPublic(), Optional.empty(), Optional.of(Instant.ofEpochSecond(1700000000L + i)),
                    123456, 123456789, 123456, 123456789, List.of(), 25, allZero));
        }
        StringWriter none = new StringWriter();
        PrometheusText.write(new ControlSnapshot(1, 0, 0, 0, 0, 0, 0, allZero, List.of(), List.of()), none);
        StringWriter w = new StringWriter();
        PrometheusText.write(new ControlSnapshot(1, 0, 0, 0, 0, 0, 0, allZero, List.of(), peers), w);
        long perPeer = (w.toString().length() - none.toString().length()) / n;
        System.out.println("metrics bytes per peer: " + perPeer);
        assertTrue(perPeer < 1000, perPeer + " bytes per peer");
    }

    @Test
    void metricNamesAreSanitized() {
        assertEquals("switchyard_a_b_c_total", PrometheusText.metricName("a.b-c", false));
        assertEquals("switchyard_x_total", PrometheusText.metricName("x_total", false));
        if (PrometheusText.metricName("é", true).contains("é")) {
            fail("non-ASCII must be replaced");
        }
    }

    @Test
    void perPeerSeriesCanBeTurnedOff() throws IOException {
        StringWriter w = new StringWriter();
        PrometheusText.write(snapshot(), w, false);
        List<Sample> s = parse(w.toString());
        assertTrue(s.stream().noneMatch(x -> x.name().startsWith("switchyard_peer_")), w.toString());
        assertEquals(10, value(s, "switchyard_rx_packets_total", Map.of()));
    }

    /** A snapshot of a large hub is work: a third concurrent scrape gets 429, not a third snapshot. */
    @Test
    void concurrentScrapesAreBoundedWith429() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(MetricsServer.CONCURRENT);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (MetricsServer m = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), () -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return snapshot();
        })) {
            String url = "http://127.0.0.1:" + m.address().getPort() + "/metrics";
            List<Thread> slow = new java.util.ArrayList<>();
            for (int i = 0; i < MetricsServer.CONCURRENT; i++) {
                slow.add(Thread.ofVirtual().start(() -> {
                    try {
                        ((HttpURLConnection) URI.create(url).toURL().openConnection()).getResponseCode();
                    } catch (IOException ignored) {
                        // the scrape's outcome is not what this test checks
                    }
                }));
            }
            assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS));
            HttpURLConnection third = (HttpURLConnection) URI.create(url).toURL().openConnection();
            assertEquals(429, third.getResponseCode());
            assertEquals("1", third.getHeaderField("Retry-After"));
            assertEquals(1, m.refused());
            release.countDown();
            for (Thread t : slow) {
                t.join();
            }
            assertEquals(200, ((HttpURLConnection) URI.create(url).toURL().openConnection()).getResponseCode());
        }
    }
}
