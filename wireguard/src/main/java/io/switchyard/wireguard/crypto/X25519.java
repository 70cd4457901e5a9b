package io.switchyard.wireguard.crypto;

import java.security.SecureRandom;

/**
 * X25519 (RFC 7748) on Bouncy Castle's {@code rfc7748} code, which measured several times faster
 * than the JDK's {@code XDH} here (docs/perf-crypto.md).
 *
 * <p>What is refused: any agreement whose shared secret is all zeros. With a clamped scalar (a
 * multiple of the cofactor 8) that is exactly the set of low-order public keys, including their
 * non-canonical encodings (u + p), which is the check WireGuard itself makes; Wycheproof's
 * "acceptable" cases flagged {@code ZeroSharedSecret} are those. Other "acceptable" cases (twist
 * points, non-canonical but not low-order u) compute as RFC 7748 says, like the kernel does.
 */
public final class X25519 {
    public static final int KEY_SIZE = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private X25519() {}

    /** A fresh private key from {@link SecureRandom}, clamped as {@code wg genkey} clamps it. */
    public static byte[] generatePrivateKey() {
        byte[] k = new byte[KEY_SIZE];
        RANDOM.nextBytes(k);
        clamp(k);
        return k;
    }

    /** Clamps a private key in place (RFC 7748 section 5 decodeScalar25519). */
    public static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    /** The public key of {@code privateKey}. */
    public static byte[] publicKey(byte[] privateKey) {
        check(privateKey, "private");
        byte[] pub = new byte[KEY_SIZE];
        org.bouncycastle.math.ec.rfc7748.X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    /**
     * The shared secret of {@code privateKey} and {@code publicKey}, or {@code null} if it is all
     * zeros (a low-order public key).
     */
    public static byte[] sharedSecret(byte[] privateKey, byte[] publicKey) {
        check(privateKey, "private");
        check(publicKey, "public");
        byte[] out = new byte[KEY_SIZE];
        // BC clamps the scalar itself and returns false for an all-zero result (constant time).
        boolean ok = org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(privateKey, 0, publicKey, 0, out, 0);
        return ok ? out : null;
    }

    private static void check(byte[] key, String what) {
        if (key == null || key.length != KEY_SIZE) {
            throw new IllegalArgumentException("X25519 " + what + " key must be 32 bytes");
        }
    }
}
