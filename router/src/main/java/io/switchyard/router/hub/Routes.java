package io.switchyard.router.hub;

import io.switchyard.wireguard.routing.AllowedIps;
import io.switchyard.wireguard.routing.FrozenAllowedIps;

/**
 * The hub's cryptokey routing table as the actors read it: an immutable AllowedIPs trie,
 * rebuilt from the whole configuration on every change and published whole through a volatile
 * field, so an actor reads it once per batch and never sees half a change.
 */
final class Routes {
    private volatile FrozenAllowedIps<PeerHandle> current = new AllowedIps<PeerHandle>().freeze();

    FrozenAllowedIps<PeerHandle> current() {
        return current;
    }

    void publish(FrozenAllowedIps<PeerHandle> next) {
        current = next;
    }
}
