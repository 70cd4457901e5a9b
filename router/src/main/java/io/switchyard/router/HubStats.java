package io.switchyard.router;

import io.switchyard.counters.Metric;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a hub's counters. Each counter is read on its own (no global pause), so totals
 * taken while traffic flows may be a few packets apart; at rest they balance exactly:
 * {@code rxPackets + counters["local.originated"] = counters["forwarded"] + counters["consumed"] + sum(drops)}, where consumed
 * counts the datagrams meant for the hub itself (handshake messages, cookie replies, keepalives).
 *
 * @param rxPackets datagrams received on the hub's sockets
 * @param rxBytes their bytes (UDP payload)
 * @param txPackets datagrams sent (forwarded, handshake, keepalive, cookie replies)
 * @param txBytes their bytes
 * @param handshakesCompleted sessions installed (as initiator or responder)
 * @param cookieRepliesSent cookie replies sent under load
 * @param drops every drop reason (all present, zero included)
 * @param metrics every counter and gauge of the hub, each with its name, kind and help: the
 *     data path's {@link HubCounter}s ({@code forwarded}, {@code consumed}, ...), the hub's
 *     {@link HubMetric}s ({@code peers}, {@code pool.in_use}, ...), and its parts' counters, by
 *     group: {@code io.*} (all its sockets), {@code zerocopy.*} (pools and trackers),
 *     {@code actor.*} (the actor system)
 * @param peers one entry per configured peer, in configuration order
 */
public record HubStats(long rxPackets, long rxBytes, long txPackets, long txBytes,
        long handshakesCompleted, long cookieRepliesSent, Map<DropReason, Long> drops,
        List<Metric> metrics, List<PeerStats> peers) {

    public HubStats {
        drops = Map.copyOf(drops);
        metrics = List.copyOf(metrics);
        peers = List.copyOf(peers);
    }

    /** Every metric's value by name, in {@link #metrics()} order ({@code counters().get("forwarded")}). */
    public Map<String, Long> counters() {
        return Metric.byName(metrics);
    }

    /** The sum of all drops. */
    public long dropped() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
