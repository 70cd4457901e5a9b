package io.switchyard.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole, validated configuration: the interface, the router settings and the peers. Immutable;
 * equality is by value (peer order included, since the writer keeps it). Produced by
 * {@link ConfigParser}, printed by {@link ConfigWriter}, compared by {@link ConfigDiff}.
 *
 * @param name the interface name, taken from the file name without {@code .conf}
 */
public record Config(String name, InterfaceConfig iface, RouterSettings settings, List<PeerConfig> peers) {

    public Config {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(iface, "iface");
        Objects.requireNonNull(settings, "settings");
        peers = List.copyOf(peers);
        var keys = new HashSet<Key32>();
        for (PeerConfig p : peers) {
            if (!keys.add(p.publicKey())) {
                throw new IllegalArgumentException("two peers with public key " + p.publicKey());
            }
        }
    }

    /** The peers by public key, in file order; a new map each call (O(n)), so keep it. */
    public Map<Key32, PeerConfig> peersByKey() {
        var map = new LinkedHashMap<Key32, PeerConfig>(peers.size() * 2);
        for (PeerConfig p : peers) {
            map.put(p.publicKey(), p);
        }
        return map;
    }

    /** The peer with this public key: a linear scan, for tests and one-off lookups. */
    public Optional<PeerConfig> peer(Key32 publicKey) {
        return peers.stream().filter(p -> p.publicKey().equals(publicKey)).findFirst();
    }

    /** The control socket to listen on, or empty when turned off. */
    public Optional<Path> controlSocket() {
        return settings.controlSocket(name);
    }
}
