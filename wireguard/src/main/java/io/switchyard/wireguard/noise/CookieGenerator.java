package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.crypto.Blake2s;
import io.switchyard.wireguard.crypto.XChaCha20Poly1305;
import io.switchyard.wireguard.WireGuard;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The sending side of WireGuard's MACs toward one peer (whitepaper 5.4.4 and 5.4.7): writes
 * {@code mac1 = Mac(Hash(LABEL_MAC1 || peer public), msg[..mac1])} into every handshake message
 * we send, and {@code mac2 = Mac(cookie, msg[..mac2])} while we hold a cookie younger than
 * {@link WireGuard#COOKIE_REFRESH_TIME}; otherwise mac2 is zeros.
 *
 * <p>A cookie reply is accepted only if it decrypts under {@code Hash(LABEL_COOKIE || peer public)}
 * with the mac1 we last sent as associated data, so only a reply to our own last message counts.
 * Thread-safe (synchronized): handshake workers and timers may both touch it.
 */
public final class CookieGenerator {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final LongSupplier nanoClock;
    private final byte[] lastMac1 = new byte[WireGuard.MAC_SIZE];
    private boolean haveLastMac1;
    private byte[] cookie;
    private long cookieSetNanos;

    public CookieGenerator(byte[] peerPublicKey, LongSupplier nanoClock) {
        this.mac1Key = Blake2s.hash(WireGuard.LABEL_MAC1, peerPublicKey);
        this.cookieKey = Blake2s.hash(WireGuard.LABEL_COOKIE, peerPublicKey);
        this.nanoClock = nanoClock;
    }

    /** Fills the last 32 bytes of {@code msg} (an initiation or response) with mac1 and mac2. */
    public synchronized void addMacs(byte[] msg) {
        int mac1At = msg.length - 2 * WireGuard.MAC_SIZE;
        int mac2At = msg.length - WireGuard.MAC_SIZE;
        byte[] mac1 = Blake2s.mac(mac1Key, msg, 0, mac1At);
        System.arraycopy(mac1, 0, msg, mac1At, WireGuard.MAC_SIZE);
        System.arraycopy(mac1, 0, lastMac1, 0, WireGuard.MAC_SIZE);
        haveLastMac1 = true;
        byte[] mac2 = new byte[WireGuard.MAC_SIZE];
        if (cookie != null && nanoClock.getAsLong() - cookieSetNanos < WireGuard.COOKIE_REFRESH_TIME.toNanos()) {
            mac2 = Blake2s.mac(cookie, msg, 0, mac2At);
        }
        System.arraycopy(mac2, 0, msg, mac2At, WireGuard.MAC_SIZE);
    }

    /**
     * Takes the cookie from a 64-byte cookie reply addressed to us. Returns {@code false} if it
     * is malformed, answers no message we sent, or fails to decrypt; nothing changes then.
     */
    public synchronized boolean consumeReply(byte[] reply) {
        try {
            Messages.require(reply, WireGuard.MESSAGE_COOKIE_REPLY_TYPE, WireGuard.MESSAGE_COOKIE_REPLY_SIZE);
        } catch (MalformedMessageException e) {
            return false;
        }
        if (!haveLastMac1) {
            return false;
        }
        byte[] nonce = Messages.slice(reply, Messages.COOKIE_NONCE, Messages.COOKIE_NONCE_SIZE);
        byte[] sealed = Messages.slice(reply, Messages.COOKIE_ENCRYPTED, Messages.ENCRYPTED_COOKIE_SIZE);
        byte[] plain = XChaCha20Poly1305.open(cookieKey, nonce, lastMac1, sealed);
        if (plain == null) {
            return false;
        }
        cookie = plain;
        cookieSetNanos = nanoClock.getAsLong();
        haveLastMac1 = false; // one reply per message sent
        return true;
    }

    /** Whether a fresh cookie will be used for mac2. */
    public synchronized boolean hasCookie() {
        return cookie != null && nanoClock.getAsLong() - cookieSetNanos < WireGuard.COOKIE_REFRESH_TIME.toNanos();
    }

    byte[] lastMac1() {
        return Arrays.copyOf(lastMac1, lastMac1.length);
    }
}
