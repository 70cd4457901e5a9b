package io.switchyard.router;

import io.switchyard.config.Key32;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What a running hub tells its subscribers ({@link Hub#subscribe}). Events of one peer come in
 * the order they happened (they are made by that peer's actor); events of different peers are
 * not ordered among themselves. Drop counts arrive as per-second summaries, never per packet.
 */
public sealed interface HubEvent {
    /** When it happened (wall clock). */
    Instant at();

    /** A peer was configured (at start or by a reload / the API). */
    record PeerAdded(Instant at, Key32 peer) implements HubEvent {}

    /** A peer was removed from the configuration; its session and traffic end. */
    record PeerRemoved(Instant at, Key32 peer) implements HubEvent {}

    /** A Noise handshake with the peer completed (first one, rekeys, re-handshakes after restarts). */
    record HandshakeCompleted(Instant at, Key32 peer, InetSocketAddress endpoint) implements HubEvent {}

    /** The peer has a session again after having none (its first handshake, or after it went down). */
    record PeerUp(Instant at, Key32 peer, InetSocketAddress endpoint) implements HubEvent {}

    /** The peer has no usable session any more. */
    record PeerDown(Instant at, Key32 peer, Cause cause) implements HubEvent {
        public enum Cause {
            /** No handshake for REJECT_AFTER_TIME (180 s): its keys may no longer be used. */
            SESSION_EXPIRED,
            /** The peer was removed from the configuration. */
            REMOVED
        }
    }

    /** The peer's endpoint moved (roaming), learned from an authenticated packet or handshake. */
    record EndpointChanged(Instant at, Key32 peer, InetSocketAddress from, InetSocketAddress to) implements HubEvent {}

    /**
     * Datagrams dropped in the last second, by reason: for one peer ({@code peer} present), or,
     * with {@code peer} empty, those no peer can be blamed for (malformed datagrams, unknown
     * indexes, handshake refusals). Only non-zero counts; no event for a quiet second.
     */
    record Drops(Instant at, Optional<Key32> peer, Map<DropReason, Long> counts) implements HubEvent {}
}
