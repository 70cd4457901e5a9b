package io.switchyard.router.crypto;

import java.nio.ByteBuffer;

/**
 * The default {@link Aead}: the allocation-free {@link InPlaceChaCha20Poly1305} for short
 * messages and the JDK's intrinsified {@link JdkChaCha20Poly1305} for long ones.
 *
 * <p>Why both: measured here (docs/perf-crypto.md) the pure-Java engine is roughly 2-3x faster
 * at 64 bytes, where the JDK cipher's per-packet {@code init} and allocations dominate, and the
 * JDK's AVX-512 path is roughly 2.5-3x faster at 1,420 bytes. The cut-over is set near where the
 * two cost lines cross. Both compute the same function, so which one ran is invisible on the wire.
 */
public final class HybridChaCha20Poly1305 implements Aead {
    /** Messages (payload and tag) up to this many bytes go to the in-place engine. */
    public static final int IN_PLACE_MAX = 256;

    private final InPlaceChaCha20Poly1305 small;
    private final JdkChaCha20Poly1305 large;

    public HybridChaCha20Poly1305(byte[] key) {
        this.small = new InPlaceChaCha20Poly1305(key);
        this.large = new JdkChaCha20Poly1305(key);
    }

    @Override
    public String engine() {
        return "hybrid(in-place<=" + IN_PLACE_MAX + ",jdk-cipher)";
    }

    @Override
    public int seal(long counter, ByteBuffer packet, int offset, int length) {
        return length + TAG_SIZE <= IN_PLACE_MAX
                ? small.seal(counter, packet, offset, length)
                : large.seal(counter, packet, offset, length);
    }

    @Override
    public int open(long counter, ByteBuffer packet, int offset, int length) {
        return length <= IN_PLACE_MAX
                ? small.open(counter, packet, offset, length)
                : large.open(counter, packet, offset, length);
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        return length + TAG_SIZE <= IN_PLACE_MAX
                ? small.seal(nonce, aad, packet, offset, length)
                : large.seal(nonce, aad, packet, offset, length);
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        return length <= IN_PLACE_MAX
                ? small.open(nonce, aad, packet, offset, length)
                : large.open(nonce, aad, packet, offset, length);
    }

    @Override
    public void destroy() {
        small.destroy();
        large.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return small.isDestroyed() && large.isDestroyed();
    }
}
