package io.switchyard.control;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One peer's live state as the control plane reports it: the shape of the hub's
 * {@code PeerStats}, with drop reasons as their stable text labels so that this package does not
 * depend on the data path's enum.
 *
 * @param endpoint where the peer was last heard from (or its configured literal endpoint)
 * @param lastHandshake when the last handshake completed, if ever
 * @param drops packets from or to this peer that were dropped, by reason label
 */
public record PeerSnapshot(
        Key32 publicKey, Optional<InetSocketAddress> endpoint, Optional<Instant> lastHandshake,
        long rxPackets, long rxBytes, long txPackets, long txBytes,
        List<IpPrefix> allowedIps, int persistentKeepaliveSeconds, Map<String, Long> drops) {

    public PeerSnapshot {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(lastHandshake, "lastHandshake");
        allowedIps = List.copyOf(allowedIps);
        drops = Map.copyOf(drops);
    }
}
