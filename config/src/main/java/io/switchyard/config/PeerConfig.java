package io.switchyard.config;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code [Peer]} section.
 *
 * @param publicKey the peer's identity; a config holds at most one peer per key
 * @param presharedKey the resolved preshared key, if any
 * @param presharedKeyFile where it came from, if {@code PresharedKeyFile} was used (then
 *     {@code presharedKey} is present too)
 * @param allowedIps the peer's prefixes, host bits cleared, without duplicates, in file order
 * @param endpoint where to send before the peer has been heard from, if known
 * @param persistentKeepalive seconds between keepalives, 0 for off
 */
public record PeerConfig(
        Key32 publicKey, Optional<Key32> presharedKey, Optional<Path> presharedKeyFile,
        List<IpPrefix> allowedIps, Optional<Endpoint> endpoint, int persistentKeepalive) {

    public PeerConfig {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(presharedKey, "presharedKey");
        Objects.requireNonNull(presharedKeyFile, "presharedKeyFile");
        Objects.requireNonNull(endpoint, "endpoint");
        if (presharedKeyFile.isPresent() && presharedKey.isEmpty()) {
            throw new IllegalArgumentException("presharedKeyFile without the key read from it");
        }
        allowedIps = List.copyOf(new LinkedHashSet<>(allowedIps));
        if (persistentKeepalive < 0 || persistentKeepalive > 65535) {
            throw new IllegalArgumentException("persistentKeepalive " + persistentKeepalive + " out of range 0..65535");
        }
    }

    /** A peer with a key and prefixes only. */
    public static PeerConfig of(Key32 publicKey, List<IpPrefix> allowedIps) {
        return new PeerConfig(publicKey, Optional.empty(), Optional.empty(), allowedIps, Optional.empty(), 0);
    }

    /** The prefixes as a set, for comparisons that ignore order. */
    public Set<IpPrefix> allowedIpSet() {
        return Set.copyOf(allowedIps);
    }

    @Override
    public String toString() {
        return "PeerConfig[publicKey=" + publicKey
                + (presharedKey.isPresent() ? ", presharedKey=(redacted)" : "")
                + presharedKeyFile.map(p -> " from " + p).orElse("")
                + ", allowedIps=" + allowedIps
                + endpoint.map(e -> ", endpoint=" + e).orElse("")
                + (persistentKeepalive > 0 ? ", persistentKeepalive=" + persistentKeepalive : "") + "]";
    }
}
