package io.switchyard.router;

import io.switchyard.counters.CounterDescriptor;

/**
 * Every reason a received datagram does not leave the hub, with a stable id (for metrics) and a
 * label. Each drop is counted under exactly one reason, globally and, where the sending or the
 * destination peer is known, for that peer, so that received = forwarded + consumed + dropped.
 * docs/router.md tells where in the data path each one is decided.
 */
public enum DropReason implements CounterDescriptor {
    // --- classification (router actor) -------------------------------------------------------
    /** Too short, unknown message type, or a handshake message of the wrong size. */
    MALFORMED(0, "datagram is not a WireGuard message (type or size)"),
    /** A transport message or cookie reply whose receiver index belongs to no peer. */
    UNKNOWN_INDEX(1, "receiver index belongs to no session"),
    /** No packet buffer free in the pool to take the datagram. */
    NO_BUFFER(2, "packet buffer pool exhausted"),

    // --- handshakes (worker pool) ------------------------------------------------------------
    /** Handshake message with a wrong mac1: the sender does not know our public key. */
    BAD_MAC(3, "handshake mac1 does not verify"),
    /** Under load without a valid mac2: answered with a cookie reply instead. */
    COOKIE_REQUIRED(4, "under load and no valid mac2: cookie reply sent"),
    /** Under load, the source exceeded 20 handshakes/s (burst 5). */
    RATE_LIMITED(5, "handshake rate limit of the source exceeded"),
    /** The handshake queue was full. */
    HANDSHAKE_QUEUE_FULL(6, "handshake queue full"),
    /** A handshake message that failed: unknown peer, bad AEAD, replayed timestamp, flood, state. */
    HANDSHAKE_FAILED(7, "handshake message refused by Noise"),
    /** A cookie reply that answered nothing we sent, or did not decrypt. */
    BAD_COOKIE_REPLY(8, "cookie reply not for a message of ours"),

    // --- inbound transport (sending peer's actor) ----------------------------------------------
    /** The AEAD tag did not authenticate. */
    BAD_TAG(9, "transport message did not authenticate"),
    /** Counter already seen or too far behind the replay window. */
    REPLAYED(10, "transport counter replayed or too old"),
    /** The session the message was sealed with is older than REJECT_AFTER_TIME. */
    EXPIRED(11, "session expired"),
    /** The decrypted packet is not a whole IPv4/IPv6 packet. */
    INNER_MALFORMED(12, "decrypted payload is not a valid IP packet"),
    /** The inner source address is not in the sending peer's AllowedIPs (cryptokey routing). */
    SPOOFED_SOURCE(13, "inner source not in the sender's AllowedIPs"),
    /** No peer's AllowedIPs contain the inner destination. */
    NO_ROUTE(14, "no peer owns the inner destination"),
    /** The inner destination belongs to the sending peer itself: the hub does not reflect. */
    REFLECTED(15, "inner destination is the sending peer"),
    /** The destination peer was removed meanwhile (its actor takes nothing more). */
    PEER_QUEUE_FULL(16, "destination peer gone"),

    // --- outbound (destination peer's actor) ----------------------------------------------------
    /** The destination has no session and no known endpoint to start a handshake with. */
    NO_ENDPOINT(17, "destination has no endpoint"),
    /** The staging queue (packets waiting for a session) was full: its oldest packet made room. */
    STAGING_OVERFLOW(18, "staged packets overflowed while waiting for a session"),
    /** The handshake gave up (REKEY_ATTEMPT_TIME) or the peer was removed: staged packets dropped. */
    HANDSHAKE_GAVE_UP(19, "handshake never completed: staged packets dropped"),
    /** The send failed as a whole: the socket closed or broke before the datagram left. */
    SEND_FAILED(20, "send failed: socket closed or broken"),

    // --- the hub's own overlay addresses (local endpoint actor) --------------------------------
    /** For one of the hub's addresses, but nothing answers it: a protocol or port nobody serves. */
    LOCAL_UNREACHABLE(21, "for the hub's own address, but no local endpoint takes it"),
    /** The local UDP endpoint's receiver did not take the datagram (its mailbox full, or stopped). */
    LOCAL_QUEUE_FULL(22, "local endpoint's receiver refused the datagram"),

    // --- size (router actor) and send refusals (destination peer's actor) ----------------------
    /** Longer than {@code MaxDatagramSize}, or above 2 KiB with no large buffers configured. */
    DATAGRAM_TOO_BIG(23, "datagram larger than the hub takes (MaxDatagramSize, LargePacketBuffers)"),
    /** The kernel refused the datagram as too big for the path (EMSGSIZE), even unsegmented. */
    SEND_TOO_BIG(24, "kernel refused the send: too big for the path (EMSGSIZE)"),
    /** The kernel has no way to the endpoint (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ...). */
    SEND_UNREACHABLE(25, "kernel refused the send: endpoint unreachable"),
    /** A local firewall rule refused the send (EPERM, EACCES). */
    SEND_DENIED(26, "kernel refused the send: denied by a firewall rule"),
    /** An inner packet above the interface MTU that may not be fragmented; answered with ICMP "too big". */
    INNER_TOO_BIG(27, "inner packet above the MTU (answered with ICMP too big)"),
    /**
     * The peer's mailbox already holds its share of the packet buffers: a flood at its receiver
     * index, or packets for it arriving faster than it drains. Its own loss, never another's.
     */
    PEER_OVER_QUOTA(28, "the peer holds its share of the packet buffers");

    private final int id;
    private final String label;

    DropReason(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable numeric id; never reused. */
    @Override
    public int id() {
        return id;
    }

    public String label() {
        return label;
    }


    @Override
    public String description() {
        return label;
    }
}
