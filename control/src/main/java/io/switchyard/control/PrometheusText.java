package io.switchyard.control;

import io.switchyard.counters.CounterDescriptor;
import io.switchyard.counters.Metric;
import java.io.IOException;
import java.io.Writer;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Writes a {@link ControlSnapshot} in the Prometheus text exposition format, version 0.0.4: for
 * each metric family one {@code # HELP} and one {@code # TYPE} line, then its samples, families
 * never interleaved; label values escape {@code \}, {@code "} and newline; HELP text escapes
 * {@code \} and newline.
 *
 * <p>Every metric of the snapshot ({@link ControlSnapshot#metrics()}: the hub's counters and
 * gauges, each described by its enum with a name, a kind and a help line) becomes
 * {@code switchyard_NAME}, every character outside {@code [a-zA-Z0-9_]} turned into {@code _},
 * typed as its descriptor says, counters with the {@code _total} suffix: {@code rx_packets} is
 * {@code switchyard_rx_packets_total}, the gauge {@code pool.in_use} is
 * {@code switchyard_pool_in_use}. Then {@code switchyard_drops_total{reason}} and, per peer
 * (label {@code peer}, the base64 public key), {@code switchyard_peer_rx_packets_total},
 * {@code _rx_bytes_total}, {@code _tx_packets_total}, {@code _tx_bytes_total},
 * {@code _last_handshake_seconds} (Unix time, 0 for never) and {@code _drops_total{peer,reason}}
 * (only reasons with a non-zero count, to keep a large hub's scrape small). A metric whose name
 * collides, ignoring {@code _total}, with an earlier one or with those families is left out and
 * counted in {@code switchyard_metrics_names_dropped}.
 */
public final class PrometheusText {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {}

    /** Writes the whole exposition of {@code s}. */
    public static void write(ControlSnapshot s, Writer out) throws IOException {
        write(s, out, true);
    }

    /** Writes the exposition of {@code s}; without the per-peer families when {@code perPeer} is false. */
    public static void write(ControlSnapshot s, Writer out, boolean perPeer) throws IOException {
        Set<String> seen = new HashSet<>(RESERVED);
        long dropped = 0;
        for (Metric m : s.metrics()) {
            boolean gauge = m.kind() == CounterDescriptor.Kind.GAUGE;
            String name = metricName(m.name(), gauge);
            if (!seen.add(stem(name))) {
                dropped++;
                continue;
            }
            header(out, name, m.description().isEmpty() ? m.name() : m.description(), gauge ? "gauge" : "counter");
            out.write(name + " " + m.value() + "\n");
        }
        header(out, "switchyard_drops_total", "Packets dropped, by reason.", "counter");
        for (var e : s.drops().entrySet()) {
            sample(out, "switchyard_drops_total", "reason", e.getKey(), null, null, e.getValue());
        }

        if (perPeer) {
            perPeer(out, s, "switchyard_peer_rx_packets_total", "Datagrams received from the peer.", "counter", PeerSnapshot::rxPackets);
            perPeer(out, s, "switchyard_peer_rx_bytes_total", "Bytes received from the peer.", "counter", PeerSnapshot::rxBytes);
            perPeer(out, s, "switchyard_peer_tx_packets_total", "Datagrams sent to the peer.", "counter", PeerSnapshot::txPackets);
            perPeer(out, s, "switchyard_peer_tx_bytes_total", "Bytes sent to the peer.", "counter", PeerSnapshot::txBytes);
            perPeer(out, s, "switchyard_peer_last_handshake_seconds",
                    "Unix time of the peer's last completed handshake, 0 for never.", "gauge",
                    p -> p.lastHandshake().map(java.time.Instant::getEpochSecond).orElse(0L));
            header(out, "switchyard_peer_drops_total", "Packets from or to the peer dropped, by reason.", "counter");
            for (PeerSnapshot p : s.peers()) {
                String key = p.publicKey().toBase64();
                for (var e : p.drops().entrySet()) {
                    // zero series left out: peers x reasons would be most of a large hub's scrape
                    if (e.getValue() != 0) {
                        sample(out, "switchyard_peer_drops_total", "peer", key, "reason", e.getKey(), e.getValue());
                    }
                }
            }
        }
        header(out, "switchyard_build_info", "The build serving this hub (always 1; its labels carry the versions).", "gauge");
        sample(out, "switchyard_build_info", "version", VERSION, "java", Runtime.version().toString(), 1);
        header(out, "switchyard_metrics_names_dropped", "Metrics left out because their name collided.", "gauge");
        out.write("switchyard_metrics_names_dropped " + dropped + "\n");
    }

    /** The families written besides the metrics, which a metric may not reuse. */
    private static final Set<String> RESERVED = Set.of("switchyard_drops", "switchyard_peer_rx_packets",
            "switchyard_peer_rx_bytes", "switchyard_peer_tx_packets", "switchyard_peer_tx_bytes",
            "switchyard_peer_last_handshake_seconds", "switchyard_peer_drops", "switchyard_metrics_names_dropped",
            "switchyard_build_info");

    /** This build's version (the jar's Implementation-Version), "dev" when run from classes. */
    static final String VERSION = Objects.requireNonNullElse(
            PrometheusText.class.getPackage().getImplementationVersion(), "dev");

    /** A metric name without its {@code _total}: two names with one stem would confuse a reader. */
    private static String stem(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
    }

    /** {@code switchyard_} + the sanitized name, {@code _total} added for counters. */
    static String metricName(String name, boolean gauge) {
        String n = name;
        StringBuilder sb = new StringBuilder("switchyard_");
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(ok ? c : '_');
        }
        if (!gauge && !sb.toString().endsWith("_total")) {
            sb.append("_total");
        }
        return sb.toString();
    }

    private interface PeerValue {
        long of(PeerSnapshot p);
    }

    private static void perPeer(Writer out, ControlSnapshot s, String name, String help, String type, PeerValue v)
            throws IOException {
        header(out, name, help, type);
        for (PeerSnapshot p : s.peers()) {
            sample(out, name, "peer", p.publicKey().toBase64(), null, null, v.of(p));
        }
    }

    private static void counter(Writer out, String name, String help, long value) throws IOException {
        header(out, name, help, "counter");
        out.write(name + " " + value + "\n");
    }

    private static void header(Writer out, String name, String help, String type) throws IOException {
        out.write("# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + type + "\n");
    }

    private static void sample(Writer out, String name, String l1, String v1, String l2, String v2, long value)
            throws IOException {
        out.write(name);
        out.write('{');
        out.write(l1 + "=\"" + escapeLabel(v1) + "\"");
        if (l2 != null) {
            out.write("," + l2 + "=\"" + escapeLabel(v2) + "\"");
        }
        out.write("} " + value + "\n");
    }

    /** Label values: backslash, double quote and line feed are escaped. */
    static String escapeLabel(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** HELP text: backslash and line feed are escaped. */
    static String escapeHelp(String v) {
        return v.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
