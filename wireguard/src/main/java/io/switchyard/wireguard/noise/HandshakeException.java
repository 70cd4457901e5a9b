package io.switchyard.wireguard.noise;

/**
 * A handshake message that was refused, with the reason as a counter key. Stackless: refusals
 * are ordinary under attack and must stay cheap.
 */
public final class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        MALFORMED,
        /** A Diffie-Hellman result was all zeros: a low-order key. */
        LOW_ORDER_KEY,
        /** An AEAD field did not authenticate. */
        DECRYPT_FAILED,
        UNKNOWN_PEER,
        UNKNOWN_INDEX,
        /** The initiation's timestamp is not later than the last accepted one (a replay). */
        STALE_TIMESTAMP,
        /** An initiation within {@code HANDSHAKE_INITIATION_RATE} of the last accepted one. */
        FLOOD,
        /** The message does not fit the handshake's current state. */
        UNEXPECTED_STATE
    }

    private final Reason reason;

    public HandshakeException(Reason reason, String detail) {
        super(reason + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
