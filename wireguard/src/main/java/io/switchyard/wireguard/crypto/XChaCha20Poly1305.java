package io.switchyard.wireguard.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), used by WireGuard's cookie reply.
 *
 * <p>Algorithm: HChaCha20 of the key and the first 16 nonce bytes gives a subkey; the remaining 8
 * nonce bytes, after four zero bytes, are the nonce of ordinary ChaCha20-Poly1305 under that
 * subkey. Bouncy Castle 1.80 has no XChaCha20, so HChaCha20 (twenty ChaCha rounds without the
 * final feed-forward, output words 0-3 and 12-15) is here. Cookie replies are rare: this
 * allocates.
 */
public final class XChaCha20Poly1305 {
    public static final int NONCE_SIZE = 24;
    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private XChaCha20Poly1305() {}

    /** Returns ciphertext and tag of {@code plaintext}. */
    public static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        byte[] out = Arrays.copyOf(plaintext, plaintext.length + Aead.TAG_SIZE);
        inner(key, nonce).seal(innerNonce(nonce), aad, ByteBuffer.wrap(out), 0, plaintext.length);
        return out;
    }

    /** Returns the plaintext, or {@code null} if {@code sealed} does not authenticate. */
    public static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) {
        Aead aead = inner(key, nonce);
        if (sealed.length < Aead.TAG_SIZE) {
            return null;
        }
        byte[] copy = sealed.clone();
        int n = aead.open(innerNonce(nonce), aad, ByteBuffer.wrap(copy), 0, copy.length);
        return n < 0 ? null : Arrays.copyOf(copy, n);
    }

    private static Aead inner(byte[] key, byte[] nonce) {
        if (key.length != Aead.KEY_SIZE) {
            throw new IllegalArgumentException("XChaCha20-Poly1305 key must be 32 bytes, got " + key.length);
        }
        if (nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("XChaCha20-Poly1305 nonce must be 24 bytes, got " + nonce.length);
        }
        return Aead.of(hChaCha20(key, nonce));
    }

    private static byte[] innerNonce(byte[] nonce) {
        byte[] n = new byte[Aead.NONCE_SIZE];
        System.arraycopy(nonce, 16, n, 4, 8);
        return n;
    }

    /** HChaCha20 of a 32-byte key and the first 16 bytes of {@code nonce}: a 32-byte subkey. */
    static byte[] hChaCha20(byte[] key, byte[] nonce) {
        int[] x = new int[16];
        x[0] = 0x61707865; x[1] = 0x3320646e; x[2] = 0x79622d32; x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = (int) LE_INT.get(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = (int) LE_INT.get(nonce, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(x, 0, 4, 8, 12); quarter(x, 1, 5, 9, 13); quarter(x, 2, 6, 10, 14); quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15); quarter(x, 1, 6, 11, 12); quarter(x, 2, 7, 8, 13); quarter(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            LE_INT.set(out, 4 * i, x[i]);
            LE_INT.set(out, 16 + 4 * i, x[12 + i]);
        }
        return out;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b]; x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d]; x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b]; x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d]; x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }
}
