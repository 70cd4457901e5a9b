package io.switchyard.wireguard.crypto;

import java.nio.ByteBuffer;

/**
 * The default {@link Aead}: the allocation-free {@link InPlaceChaCha20Poly1305} for short
 * messages; for long ones its Vector API kernel where this JVM has it and it has proved itself
 * ({@link VectorSupport}), otherwise the JDK's intrinsified {@link JdkChaCha20Poly1305}.
 *
 * <p>Why: measured here (docs/perf-crypto.md) the scalar Java engine is roughly 2-3x faster than
 * the JDK cipher at 64 bytes, where the JDK's per-packet {@code init} and allocations dominate,
 * and roughly 3x slower at 1,420 bytes, where the JDK's AVX-512 intrinsics win; the vector
 * kernel, with AVX-512, beats the JDK cipher there by about 1.3x with no garbage at all. Until C2
 * has compiled the kernel it is far slower than either, so long messages go to the JDK cipher
 * until the warm-up thread has measured the kernel ahead. All compute the same function, so
 * which one ran is invisible on the wire.
 */
public final class HybridChaCha20Poly1305 implements Aead {
    /** Messages (payload, or ciphertext and tag) up to this many bytes go to the scalar in-place engine. */
    public static final int IN_PLACE_MAX = InPlaceChaCha20Poly1305.LANES_MIN - 1;

    private final InPlaceChaCha20Poly1305 inPlace;
    private final byte[] key;
    private JdkChaCha20Poly1305 jdk; // made at the first long message that needs it

    public HybridChaCha20Poly1305(byte[] key) {
        this.inPlace = VectorSupport.USABLE ? InPlaceChaCha20Poly1305.vectorised(key) : new InPlaceChaCha20Poly1305(key);
        this.key = key.clone();
    }

    /**
     * Starts warming the Vector API kernel up in the background, if this JVM can use it and it
     * has not been warmed: {@code Hub.start} calls it, so that a hub's kernel is compiled before
     * its traffic peaks. Otherwise the first long message starts it. Idempotent.
     */
    public static void warmUp() {
        VectorSupport.startWarmUp();
    }

    /** Whether messages above {@link #IN_PLACE_MAX} bytes go to the Vector API kernel now. */
    public static boolean vectorKernelActive() {
        return VectorSupport.warm;
    }

    /** Whether this JVM can use the Vector API kernel at all (it may still be warming up). */
    public static boolean vectorKernelUsable() {
        return VectorSupport.USABLE;
    }

    /**
     * What seals and opens messages above {@link #IN_PLACE_MAX} bytes in this JVM now, and why, in
     * words for an operator (printed by {@code switchyard up}).
     */
    public static String longMessageEngine() {
        if (VectorSupport.warm) {
            return String.format(java.util.Locale.ROOT, "the Vector API kernel (measured faster than the JDK cipher %.1f s into its warm-up)",
                    VectorSupport.warmAfterNanos / 1e9);
        }
        if (VectorSupport.failure != null) {
            return "the JDK cipher (" + VectorSupport.failure + ")";
        }
        if (VectorSupport.USABLE) {
            return "the JDK cipher, until the Vector API kernel has warmed up";
        }
        return "the JDK cipher (the Vector API kernel needs " + VectorSupport.WHY_NOT + ")";
    }

    @Override
    public String engine() {
        String large = VectorSupport.warm ? "vector" : VectorSupport.USABLE ? "jdk-cipher until the vector kernel is warm" : "jdk-cipher";
        return "hybrid(in-place<=" + IN_PLACE_MAX + "," + large + ")";
    }

    @Override
    public int seal(long counter, ByteBuffer packet, int offset, int length) {
        return forLength(length + TAG_SIZE).seal(counter, packet, offset, length);
    }

    @Override
    public int open(long counter, ByteBuffer packet, int offset, int length) {
        return forLength(length).open(counter, packet, offset, length);
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        return forLength(length + TAG_SIZE).seal(nonce, aad, packet, offset, length);
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        return forLength(length).open(nonce, aad, packet, offset, length);
    }

    /** The engine for a message of {@code sealedLength} bytes (ciphertext and tag). */
    private Aead forLength(int sealedLength) {
        return sealedLength <= IN_PLACE_MAX || VectorSupport.warm ? inPlace : jdk();
    }

    private JdkChaCha20Poly1305 jdk() {
        VectorSupport.startWarmUp();
        if (jdk == null) {
            jdk = new JdkChaCha20Poly1305(key);
            if (inPlace.isDestroyed()) {
                jdk.destroy();
            }
        }
        return jdk;
    }

    @Override
    public void destroy() {
        inPlace.destroy();
        java.util.Arrays.fill(key, (byte) 0);
        if (jdk != null) {
            jdk.destroy();
        }
    }

    @Override
    public boolean isDestroyed() {
        return inPlace.isDestroyed() && (jdk == null || jdk.isDestroyed());
    }
}
