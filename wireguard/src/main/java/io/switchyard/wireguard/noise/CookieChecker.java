package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.crypto.Blake2s;
import io.switchyard.wireguard.crypto.XChaCha20Poly1305;
import io.switchyard.wireguard.WireGuard;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * The receiving side of WireGuard's MACs for this device (whitepaper 5.3 and 5.4.7).
 *
 * <p>{@link #checkMac1} proves the sender knows our public key, so it is checked on every
 * handshake message before any Diffie-Hellman. Under load, {@link #checkMac2} proves the sender
 * can receive at its source address: the cookie is {@code Mac(R, source ip || source port)} with
 * a random secret {@code R} replaced every {@link WireGuard#COOKIE_REFRESH_TIME}, so a cookie
 * expires with it. {@link #createReply} hands that cookie to the source, sealed with
 * XChaCha20-Poly1305 under {@code Hash(LABEL_COOKIE || our public)} and the message's mac1 as
 * associated data. Thread-safe.
 */
public final class CookieChecker {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final LongSupplier nanoClock;
    private final byte[] secret = new byte[32];
    private long secretSetNanos;
    private boolean secretSet;

    public CookieChecker(StaticIdentity local, LongSupplier nanoClock) {
        this.mac1Key = local.mac1Key();
        this.cookieKey = local.cookieKey();
        this.nanoClock = nanoClock;
    }

    /** Whether {@code msg} (an initiation or response, exact size) carries a valid mac1. */
    public boolean checkMac1(byte[] msg) {
        int at = msg.length - 2 * WireGuard.MAC_SIZE;
        if (at < 4) {
            return false;
        }
        byte[] expected = Blake2s.mac(mac1Key, msg, 0, at);
        return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(msg, at, at + WireGuard.MAC_SIZE));
    }

    /** Whether {@code msg} carries the mac2 that the cookie for {@code source} gives. */
    public boolean checkMac2(byte[] msg, InetSocketAddress source) {
        int at = msg.length - WireGuard.MAC_SIZE;
        if (at < 4) {
            return false;
        }
        byte[] expected = Blake2s.mac(cookie(source), msg, 0, at);
        return MessageDigest.isEqual(expected, java.util.Arrays.copyOfRange(msg, at, at + WireGuard.MAC_SIZE));
    }

    /** A 64-byte cookie reply to {@code msg} (whose mac1 has been checked) from {@code source}. */
    public byte[] createReply(byte[] msg, int receiverIndex, InetSocketAddress source) {
        int mac1At = msg.length - 2 * WireGuard.MAC_SIZE;
        byte[] mac1 = java.util.Arrays.copyOfRange(msg, mac1At, mac1At + WireGuard.MAC_SIZE);
        byte[] nonce = new byte[Messages.COOKIE_NONCE_SIZE];
        RANDOM.nextBytes(nonce);
        byte[] sealed = XChaCha20Poly1305.seal(cookieKey, nonce, mac1, cookie(source));
        byte[] reply = new byte[WireGuard.MESSAGE_COOKIE_REPLY_SIZE];
        Messages.writeInt(reply, Messages.TYPE, WireGuard.MESSAGE_COOKIE_REPLY_TYPE);
        Messages.writeInt(reply, Messages.COOKIE_RECEIVER, receiverIndex);
        System.arraycopy(nonce, 0, reply, Messages.COOKIE_NONCE, nonce.length);
        System.arraycopy(sealed, 0, reply, Messages.COOKIE_ENCRYPTED, sealed.length);
        return reply;
    }

    private byte[] cookie(InetSocketAddress source) {
        byte[] ip = source.getAddress().getAddress();
        byte[] input = new byte[ip.length + 2];
        System.arraycopy(ip, 0, input, 0, ip.length);
        input[ip.length] = (byte) (source.getPort() >>> 8);
        input[ip.length + 1] = (byte) source.getPort();
        return Blake2s.mac(currentSecret(), input, 0, input.length);
    }

    private synchronized byte[] currentSecret() {
        long now = nanoClock.getAsLong();
        if (!secretSet || now - secretSetNanos >= WireGuard.COOKIE_REFRESH_TIME.toNanos()) {
            RANDOM.nextBytes(secret);
            secretSetNanos = now;
            secretSet = true;
        }
        return secret.clone();
    }
}
