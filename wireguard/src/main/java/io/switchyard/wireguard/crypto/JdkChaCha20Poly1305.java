package io.switchyard.wireguard.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.spec.IvParameterSpec;
import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * {@link Aead} on the JDK's {@code ChaCha20-Poly1305} {@link Cipher}.
 *
 * <p>The JDK cipher is intrinsified, but every packet pays an {@code init} (new parameter spec,
 * key schedule) and its {@code doFinal} on overlapping buffers copies internally; it is kept as
 * the reference engine and benchmark baseline. The JDK refuses to re-initialise for encryption
 * with the key and nonce of the previous encryption, which WireGuard never does (counters only
 * grow), so it surfaces as an {@link IllegalStateException} if a caller ever tries.
 *
 * <p>The key is held in a {@link RawKey} of our own rather than a {@code SecretKeySpec}, whose
 * bytes cannot be wiped through public API; the cipher copies the key at each {@code init} and
 * zeroes its previous copy then, so {@link #destroy()} re-initialises it once with a zero key.
 */
public final class JdkChaCha20Poly1305 implements Aead {
    private final RawKey key;
    private final Cipher cipher;
    private final byte[] nonce = new byte[NONCE_SIZE];

    public JdkChaCha20Poly1305(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key.length);
        }
        this.key = new RawKey(key);
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (java.security.NoSuchAlgorithmException | NoSuchPaddingException e) {
            throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
        }
    }

    @Override
    public String engine() {
        return "jdk-cipher";
    }

    @Override
    public int seal(long counter, ByteBuffer packet, int offset, int length) {
        counterNonce(counter);
        return crypt(Cipher.ENCRYPT_MODE, nonce, null, packet, offset, length);
    }

    @Override
    public int open(long counter, ByteBuffer packet, int offset, int length) {
        counterNonce(counter);
        return crypt(Cipher.DECRYPT_MODE, nonce, null, packet, offset, length);
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        checkNonce(nonce);
        return crypt(Cipher.ENCRYPT_MODE, nonce, aad, packet, offset, length);
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        checkNonce(nonce);
        return crypt(Cipher.DECRYPT_MODE, nonce, aad, packet, offset, length);
    }

    @Override
    public void destroy() {
        if (key.destroyed) {
            return;
        }
        key.wipe();
        try {
            // Overwrites the cipher's own copy of the key and its initial state (the previous
            // key bytes are zeroed by the JDK on re-init). Decrypt mode: no key/nonce reuse check.
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(new byte[NONCE_SIZE]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 re-init with the zero key", e);
        }
    }

    @Override
    public boolean isDestroyed() {
        return key.destroyed && key.isZero();
    }

    private void counterNonce(long counter) {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 nonce must be 12 bytes, got " + nonce.length);
        }
    }

    private int crypt(int mode, byte[] iv, byte[] aad, ByteBuffer packet, int offset, int length) {
        if (key.destroyed) {
            if (mode == Cipher.DECRYPT_MODE) {
                return -1;
            }
            throw new IllegalStateException("ChaCha20-Poly1305 key destroyed: nothing may be sealed with it");
        }
        if (mode == Cipher.DECRYPT_MODE && length < TAG_SIZE) {
            return -1;
        }
        try {
            cipher.init(mode, key, new IvParameterSpec(iv));
            if (aad != null && aad.length > 0) {
                cipher.updateAAD(aad);
            }
            if (packet.hasArray()) {
                byte[] a = packet.array();
                int at = packet.arrayOffset() + offset;
                return cipher.doFinal(a, at, length, a, at);
            }
            ByteBuffer in = packet.slice(offset, length);
            int outRoom = mode == Cipher.ENCRYPT_MODE ? length + TAG_SIZE : length - TAG_SIZE;
            ByteBuffer out = packet.slice(offset, outRoom);
            return cipher.doFinal(in, out);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 " + (mode == Cipher.ENCRYPT_MODE ? "seal" : "open"), e);
        }
    }

    /**
     * A raw 32-byte ChaCha20 key whose bytes we can overwrite. The cipher reads it through
     * {@link #getEncoded()}, which hands out a copy, as {@code SecretKeySpec} does.
     */
    private static final class RawKey implements SecretKey {
        private static final long serialVersionUID = 1L;
        private final byte[] bytes;
        private volatile boolean destroyed;

        RawKey(byte[] key) {
            this.bytes = key.clone();
        }

        void wipe() {
            Arrays.fill(bytes, (byte) 0);
            destroyed = true;
        }

        boolean isZero() {
            int any = 0;
            for (byte b : bytes) {
                any |= b;
            }
            return any == 0;
        }

        @Override
        public String getAlgorithm() {
            return "ChaCha20";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return bytes.clone();
        }

        @Override
        public void destroy() {
            wipe();
        }

        @Override
        public boolean isDestroyed() {
            return destroyed;
        }
    }
}
