package io.switchyard.wireguard.peer;

import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.SessionKeys;

/**
 * What {@link Device#handleInitiation} or {@link Device#handleResponse} made of a handshake
 * message: a completed handshake whose keys the peer's owner installs, or a refusal with its
 * reason (a counter key, never an exception on the receive path).
 */
public sealed interface HandshakeOutcome {

    /** The peer the message was for, or null when it could not be told (unknown key or index). */
    PeerEngine peer();

    /**
     * The handshake completed on this side.
     *
     * @param keys the session, for {@link PeerEngine#installSession}
     * @param response the 92-byte response to send back (responder), or null (initiator)
     */
    record Completed(PeerEngine peer, SessionKeys keys, byte[] response) implements HandshakeOutcome {}

    /** The message was refused and changed nothing. */
    record Refused(PeerEngine peer, HandshakeException.Reason reason) implements HandshakeOutcome {}
}
