package io.switchyard.control;

import io.switchyard.config.Key32;
import io.switchyard.counters.Metric;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hub's counters at one moment, as the control socket, the metrics endpoint and
 * {@code switchyard show} report them. The shape of the hub's {@code HubStats}, with drop reasons
 * as text labels; all counters are totals since start (monotonic), except the metrics whose kind
 * says gauge.
 *
 * @param listenPort the UDP port actually bound (not the configured 0 for "any")
 * @param drops dropped packets by reason label, every reason that is non-zero
 * @param metrics the hub's counters and gauges (GSO trains, zerocopy completions, mailbox depths,
 *     ...) with dotted lower-case names such as {@code io.gso_trains}, each with its kind and
 *     help; order is kept
 */
public record ControlSnapshot(
        int listenPort, long rxPackets, long rxBytes, long txPackets, long txBytes,
        long handshakesCompleted, long cookieRepliesSent, Map<String, Long> drops,
        List<Metric> metrics, List<PeerSnapshot> peers) {

    public ControlSnapshot {
        drops = Collections.unmodifiableMap(new LinkedHashMap<>(drops));
        metrics = List.copyOf(metrics);
        peers = List.copyOf(peers);
    }

    /** Every metric's value by name, in {@link #metrics()} order. */
    public Map<String, Long> counters() {
        return Metric.byName(metrics);
    }

    /** A snapshot with no traffic: what an idle hub with these peers reports. */
    public static ControlSnapshot idle(int listenPort) {
        return new ControlSnapshot(listenPort, 0, 0, 0, 0, 0, 0, Map.of(), List.of(), List.of());
    }

    /** The peer with this key, by linear scan. */
    public Optional<PeerSnapshot> peer(Key32 key) {
        return peers.stream().filter(p -> p.publicKey().equals(key)).findFirst();
    }

    /** The sum of all drop counters. */
    public long totalDrops() {
        long sum = 0;
        for (long v : drops.values()) {
            sum += v;
        }
        return sum;
    }
}
