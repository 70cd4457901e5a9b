package io.switchyard.wireguard.crypto;

import java.nio.ByteBuffer;

/**
 * ChaCha20-Poly1305 (RFC 8439) keyed once, sealing and opening in place on a packet buffer.
 *
 * <p>In place means the ciphertext overwrites the plaintext at the same offsets and the 16-byte
 * tag follows it, so a WireGuard data message keeps its size and its buffer: header, payload,
 * tag. Offsets are absolute; the buffer's position, limit and byte order are never read or
 * changed, so heap buffers and slices of native memory work alike.
 *
 * <p>The WireGuard methods take the 64-bit message counter and build the nonce as the transport
 * data message does (four zero bytes, then the counter little-endian) with no associated data.
 * The general methods take any 12-byte nonce and associated data (handshake fields, vectors).
 *
 * <p>{@code open} reports a failed tag with {@code -1} rather than an exception, because on the
 * receive path a bad tag is an ordinary counted drop. An instance is not thread-safe: one session
 * direction belongs to one peer actor at a time.
 *
 * <p>{@link #destroy()} overwrites the key (and what the engine derived from it) with zeros when
 * a session dies, so old traffic cannot be decrypted from a heap dump. It must run on the thread
 * that seals and opens: wiping under a seal in progress could emit a packet encrypted with a
 * partly zeroed key.
 */
public sealed interface Aead permits JdkChaCha20Poly1305, InPlaceChaCha20Poly1305, HybridChaCha20Poly1305 {
    int KEY_SIZE = 32;
    int NONCE_SIZE = 12;
    int TAG_SIZE = 16;

    /**
     * The default engine for {@code key} (32 bytes; copied): {@link HybridChaCha20Poly1305}, in
     * place for short messages and for long ones the Vector API kernel where the JVM has it
     * (started with {@code --add-modules jdk.incubator.vector}, AVX-512) once it is warm, the JDK
     * cipher otherwise.
     */
    static Aead of(byte[] key) {
        return new HybridChaCha20Poly1305(key);
    }

    /** Engine names for benchmarks and diagnostics. */
    String engine();

    /**
     * Encrypts {@code length} bytes at {@code offset} in place and writes the tag right after them;
     * the buffer must have room for it. Returns {@code length + TAG_SIZE}.
     */
    int seal(long counter, ByteBuffer packet, int offset, int length);

    /**
     * Authenticates {@code length} bytes at {@code offset} (ciphertext then tag) and decrypts the
     * ciphertext in place. Returns the plaintext length, or {@code -1} if the tag does not match
     * (or {@code length < TAG_SIZE}).
     */
    int open(long counter, ByteBuffer packet, int offset, int length);

    /** As {@link #seal(long, ByteBuffer, int, int)} with an explicit 12-byte nonce and associated data. */
    int seal(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length);

    /** As {@link #open(long, ByteBuffer, int, int)} with an explicit 12-byte nonce and associated data. */
    int open(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length);

    /**
     * Overwrites the key material this engine holds with zeros. Afterwards {@code open} returns
     * {@code -1} and {@code seal} throws {@link IllegalStateException} (a zero key would encrypt
     * in the clear for anyone). Idempotent; same thread as seal and open.
     */
    void destroy();

    /** Whether {@link #destroy()} ran and the key bytes this engine holds now read as zeros. */
    boolean isDestroyed();

    /** Convenience for the handshake: returns ciphertext and tag of {@code plaintext}. */
    default byte[] seal(long counter, byte[] aad, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + TAG_SIZE];
        System.arraycopy(plaintext, 0, out, 0, plaintext.length);
        seal(nonce(counter), aad, ByteBuffer.wrap(out), 0, plaintext.length);
        return out;
    }

    /** Convenience for the handshake: returns the plaintext, or {@code null} if the tag fails. */
    default byte[] open(long counter, byte[] aad, byte[] sealed) {
        if (sealed.length < TAG_SIZE) {
            return null;
        }
        byte[] copy = sealed.clone();
        int n = open(nonce(counter), aad, ByteBuffer.wrap(copy), 0, copy.length);
        return n < 0 ? null : java.util.Arrays.copyOf(copy, n);
    }

    /** WireGuard's nonce for {@code counter}: 32 zero bits, then the counter little-endian. */
    static byte[] nonce(long counter) {
        byte[] n = new byte[NONCE_SIZE];
        for (int i = 0; i < 8; i++) {
            n[4 + i] = (byte) (counter >>> (8 * i));
        }
        return n;
    }
}
