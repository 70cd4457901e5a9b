package io.switchyard.wireguard.noise;

import java.net.InetSocketAddress;

/**
 * The checks a handshake message passes before any Diffie-Hellman is spent on it, in
 * wireguard-go's order: mac1 always; under load (the handshake queue is deep) a valid mac2 is
 * required, else the source gets a cookie reply, and then the per-source rate limit applies.
 * Each outcome is a {@link Verdict} the caller counts.
 */
public final class HandshakeGate {
    public enum Verdict {
        /** Process the message. */
        ACCEPT,
        /** Dropped: mac1 wrong, the sender does not know our public key. */
        BAD_MAC1,
        /** Dropped, and {@link #cookieReply} should be sent to the source. */
        SEND_COOKIE,
        /** Dropped: the source is over its handshake rate. */
        RATE_LIMITED
    }

    private final CookieChecker cookies;
    private final HandshakeRateLimiter limiter;

    public HandshakeGate(CookieChecker cookies, HandshakeRateLimiter limiter) {
        this.cookies = cookies;
        this.limiter = limiter;
    }

    /** @param msg an initiation or a response, already classified by type and exact length */
    public Verdict admit(byte[] msg, InetSocketAddress source, boolean underLoad) {
        if (!cookies.checkMac1(msg)) {
            return Verdict.BAD_MAC1;
        }
        if (!underLoad) {
            return Verdict.ACCEPT;
        }
        if (!cookies.checkMac2(msg, source)) {
            return Verdict.SEND_COOKIE;
        }
        return limiter.allow(source.getAddress()) ? Verdict.ACCEPT : Verdict.RATE_LIMITED;
    }

    /** The cookie reply for a message that got {@link Verdict#SEND_COOKIE}. */
    public byte[] cookieReply(byte[] msg, InetSocketAddress source) {
        // The reply goes to the message's sender index (initiation and response both keep it @4).
        return cookies.createReply(msg, Messages.readInt(msg, 4), source);
    }
}
