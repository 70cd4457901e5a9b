package io.switchyard.wireguard.crypto;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The hash functions of WireGuard's handshake (whitepaper 5.4), on Bouncy Castle's BLAKE2s:
 * {@code Hash} (BLAKE2s-256), {@code Mac} (keyed BLAKE2s with a 16-byte output), {@code Hmac}
 * (HMAC over BLAKE2s-256, block 64) and the HKDF-style {@code Kdf1/2/3}.
 * Each call makes its own digest, so these are thread-safe; they are off the data path.
 */
public final class Blake2s {
    public static final int HASH_SIZE = 32;
    public static final int MAC_SIZE = 16;

    private Blake2s() {}

    /** BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest d = new Blake2sDigest(256);
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        d.doFinal(out, 0);
        return out;
    }

    /** Keyed BLAKE2s with a 16-byte output (WireGuard's {@code Mac}) of {@code data[off, off+len)}. */
    public static byte[] mac(byte[] key, byte[] data, int off, int len) {
        return keyed(key, MAC_SIZE, data, off, len);
    }

    /**
     * Keyed BLAKE2s with an {@code outLength}-byte output (1..32; the length is a parameter of the
     * hash, not a truncation) and a key of 0..32 bytes (none: plain BLAKE2s). {@link #mac} is this
     * with 16; the other lengths are here for the RFC 7693 and reference test vectors.
     */
    static byte[] keyed(byte[] key, int outLength, byte[] data, int off, int len) {
        Blake2sDigest d = key == null || key.length == 0
                ? new Blake2sDigest(outLength * 8)
                : new Blake2sDigest(key, outLength, null, null);
        d.update(data, off, len);
        byte[] out = new byte[outLength];
        d.doFinal(out, 0);
        return out;
    }

    /** HMAC-BLAKE2s-256 of the concatenation of {@code parts}. */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        HMac h = new HMac(new Blake2sDigest(256));
        h.init(new KeyParameter(key));
        for (byte[] p : parts) {
            h.update(p, 0, p.length);
        }
        byte[] out = new byte[HASH_SIZE];
        h.doFinal(out, 0);
        return out;
    }

    /**
     * WireGuard's {@code Kdf_n(key, input)}: {@code t0 = Hmac(key, input)}, {@code t1 = Hmac(t0, 0x1)},
     * {@code t_i = Hmac(t0, t_{i-1} || i)}; returns {@code t1..tn} (1 to 3 of them).
     */
    public static byte[][] kdf(int n, byte[] key, byte[] input) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("Kdf yields 1 to 3 keys, asked for " + n);
        }
        byte[] t0 = hmac(key, input);
        byte[][] out = new byte[n][];
        byte[] previous = new byte[0];
        for (int i = 0; i < n; i++) {
            previous = hmac(t0, previous, new byte[] {(byte) (i + 1)});
            out[i] = previous;
        }
        return out;
    }
}
