/**
 * The socket-free WireGuard protocol engine: a {@link io.switchyard.wireguard.peer.Device} (our
 * identity, peers by key, receiver indexes, handshake checks) and one
 * {@link io.switchyard.wireguard.peer.PeerEngine} per remote peer (handshakes, sessions, in-place
 * seal/open, timers). The hub's actors and the client mode drive it and move the bytes.
 */
package io.switchyard.wireguard.peer;
