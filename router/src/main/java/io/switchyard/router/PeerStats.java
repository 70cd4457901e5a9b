package io.switchyard.router;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One peer's state and counters.
 *
 * @param endpoint where the hub sends to this peer: the configured endpoint until an authenticated
 *     packet arrives, then its source (roaming)
 * @param lastHandshake wall-clock time of the last session installed
 * @param rxPackets authenticated transport messages received from the peer (keepalives included)
 * @param txPackets transport and handshake messages sent to the peer
 * @param drops drops attributed to this peer: as sender (bad tag, replay, spoofed source, no
 *     route, reflected) or as destination (no endpoint, staging overflow, send failure)
 */
public record PeerStats(Key32 publicKey, Optional<InetSocketAddress> endpoint,
        Optional<Instant> lastHandshake, long rxPackets, long rxBytes, long txPackets, long txBytes,
        List<IpPrefix> allowedIps, int persistentKeepaliveSeconds, Map<DropReason, Long> drops) {

    public PeerStats {
        allowedIps = List.copyOf(allowedIps);
        drops = Map.copyOf(drops);
    }
}
