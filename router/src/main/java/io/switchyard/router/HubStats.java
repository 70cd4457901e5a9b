package io.switchyard.router;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of a hub's counters. Each counter is read on its own (no global pause), so totals
 * taken while traffic flows may be a few packets apart; at rest they balance exactly:
 * {@code rxPackets = counters["forwarded"] + counters["consumed"] + sum(drops)}, where consumed
 * counts the datagrams meant for the hub itself (handshake messages, cookie replies, keepalives).
 *
 * @param rxPackets datagrams received on the hub's sockets
 * @param rxBytes their bytes (UDP payload)
 * @param txPackets datagrams sent (forwarded, handshake, keepalive, cookie replies)
 * @param txBytes their bytes
 * @param handshakesCompleted sessions installed (as initiator or responder)
 * @param cookieRepliesSent cookie replies sent under load
 * @param drops every drop reason (all present, zero included)
 * @param counters named counters for metrics: {@code forwarded}, {@code consumed}, io counters of
 *     the listen socket ({@code io.<name>}), pool use ({@code pool.in_use}), actor counters
 *     ({@code actor.<name>}), handshake queue depth
 * @param peers one entry per configured peer, in configuration order
 */
public record HubStats(long rxPackets, long rxBytes, long txPackets, long txBytes,
        long handshakesCompleted, long cookieRepliesSent, Map<DropReason, Long> drops,
        Map<String, Long> counters, List<PeerStats> peers) {

    public HubStats {
        drops = Map.copyOf(drops);
        counters = Map.copyOf(counters);
        peers = List.copyOf(peers);
    }

    /** The sum of all drops. */
    public long dropped() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
