package io.switchyard.wireguard.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Aead} in Java that works in place and allocates nothing per packet.
 *
 * <p>Algorithm (RFC 8439): ChaCha20 block 0 gives the Poly1305 one-time key; blocks 1.. are the
 * keystream XORed over the payload. A heap buffer is worked on in its own array, a direct
 * (native) one through a reused scratch array with one bulk copy in and one out (its byte order
 * is never read). Poly1305 is {@link Poly1305}, the 26-bit-limb form.
 *
 * <p>Two kernels: the scalar one ({@link ChaCha20#block}, 8 bytes at a time through a
 * little-endian {@link VarHandle} view) for every message of the plain engine, and, in the
 * {@link #vectorised} engine, {@code ChaCha20Poly1305Lanes} on the JDK's Vector API for
 * messages of at least {@link #LANES_MIN} bytes: as many ChaCha20 blocks at once as a vector
 * has 32-bit lanes, and Poly1305 over as many blocks at once as it has 64-bit lanes.
 *
 * <p>{@code open} authenticates before it decrypts and compares the tag in constant time, so a
 * packet that fails leaves the buffer exactly as received.
 */
public final class InPlaceChaCha20Poly1305 implements Aead {
    /** Messages (payload, or ciphertext and tag) from this many bytes go to the vector kernel. */
    public static final int LANES_MIN = 257;

    private static final VarHandle LE_LONG_ARRAY =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT_ARRAY =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final int[] keyWords = new int[8];
    private final int[] block = new int[16];
    private final Poly1305 poly = new Poly1305();
    private final boolean vectorised;
    private ChaCha20Poly1305Lanes lanes; // made at the first long message: handshake fields never need it
    private byte[] work = new byte[2048];
    private boolean destroyed;

    /** The scalar engine: every message through the scalar kernel. */
    public InPlaceChaCha20Poly1305(byte[] key) {
        this(key, false);
    }

    private InPlaceChaCha20Poly1305(byte[] key, boolean vectorised) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key.length);
        }
        for (int i = 0; i < 8; i++) {
            keyWords[i] = (int) LE_INT_ARRAY.get(key, 4 * i);
        }
        this.vectorised = vectorised;
    }

    /**
     * The engine that takes messages of {@link #LANES_MIN} bytes or more through the Vector API
     * kernel. Only where {@link HybridChaCha20Poly1305#vectorKernelUsable()}; the hybrid engine
     * checks, and uses it for long messages only once it is warm.
     *
     * @throws IllegalStateException if the JVM was started without the
     *     {@code jdk.incubator.vector} module or its vectors are too narrow to pay
     */
    public static InPlaceChaCha20Poly1305 vectorised(byte[] key) {
        if (!VectorSupport.USABLE) {
            throw new IllegalStateException("the Vector API kernel needs " + VectorSupport.WHY_NOT);
        }
        return new InPlaceChaCha20Poly1305(key, true);
    }

    /**
     * The vectorised engine whatever the vector width, for tests on machines without AVX-512 (the
     * Vector API then runs its slow portable code: right, but no faster than the scalar kernel).
     */
    static InPlaceChaCha20Poly1305 vectorisedAnyWidth(byte[] key) {
        if (!VectorSupport.MODULE) {
            throw new IllegalStateException("the Vector API kernel needs " + VectorSupport.WHY_NOT);
        }
        return new InPlaceChaCha20Poly1305(key, true);
    }

    @Override
    public String engine() {
        return !vectorised ? "in-place-java" : "in-place-java+vector(>=" + LANES_MIN + ")";
    }

    @Override
    public int seal(long counter, ByteBuffer packet, int offset, int length) {
        return seal(0, (int) counter, (int) (counter >>> 32), null, packet, offset, length);
    }

    @Override
    public int open(long counter, ByteBuffer packet, int offset, int length) {
        return open(0, (int) counter, (int) (counter >>> 32), null, packet, offset, length);
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        checkNonce(nonce);
        return seal((int) LE_INT_ARRAY.get(nonce, 0), (int) LE_INT_ARRAY.get(nonce, 4),
                (int) LE_INT_ARRAY.get(nonce, 8), aad, packet, offset, length);
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer packet, int offset, int length) {
        checkNonce(nonce);
        return open((int) LE_INT_ARRAY.get(nonce, 0), (int) LE_INT_ARRAY.get(nonce, 4),
                (int) LE_INT_ARRAY.get(nonce, 8), aad, packet, offset, length);
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 nonce must be 12 bytes, got " + nonce.length);
        }
    }

    private int seal(int n0, int n1, int n2, byte[] aad, ByteBuffer b, int offset, int length) {
        if (destroyed) {
            throw new IllegalStateException("ChaCha20-Poly1305 key destroyed: nothing may be sealed with it");
        }
        if (length < 0 || offset < 0 || offset + length + TAG_SIZE > b.capacity()) {
            throw new IndexOutOfBoundsException("seal needs " + (length + TAG_SIZE) + " bytes at " + offset);
        }
        boolean direct = !b.hasArray();
        byte[] a = direct ? work(length + TAG_SIZE) : b.array();
        int at = direct ? 0 : b.arrayOffset() + offset;
        if (direct) {
            b.get(offset, a, 0, length);
        }
        ChaCha20Poly1305Lanes v = lanes(length);
        if (v != null) {
            v.start(keyWords, n0, n1, n2, length, poly);
            v.xorKeystream(a, at, length);
        } else {
            polyKey(n0, n1, n2);
            xorKeystream(n0, n1, n2, a, at, length);
        }
        mac(v, aad, a, at, length);
        poly.writeTag(a, at + length);
        if (direct) {
            b.put(offset, a, 0, length + TAG_SIZE);
        }
        return length + TAG_SIZE;
    }

    private int open(int n0, int n1, int n2, byte[] aad, ByteBuffer b, int offset, int length) {
        if (length < TAG_SIZE || destroyed) {
            return -1;
        }
        if (offset < 0 || offset + length > b.capacity()) {
            throw new IndexOutOfBoundsException("open of " + length + " bytes at " + offset);
        }
        boolean direct = !b.hasArray();
        byte[] a = direct ? work(length) : b.array();
        int at = direct ? 0 : b.arrayOffset() + offset;
        if (direct) {
            b.get(offset, a, 0, length);
        }
        int textLength = length - TAG_SIZE;
        ChaCha20Poly1305Lanes v = lanes(length);
        if (v != null) {
            v.start(keyWords, n0, n1, n2, textLength, poly);
        } else {
            polyKey(n0, n1, n2);
        }
        mac(v, aad, a, at, textLength);
        if (poly.tagDiffers(a, at + textLength)) {
            return -1;
        }
        if (v != null) {
            v.xorKeystream(a, at, textLength);
        } else {
            xorKeystream(n0, n1, n2, a, at, textLength);
        }
        if (direct) {
            b.put(offset, a, 0, textLength);
        }
        return textLength;
    }

    /**
     * Zeroes the key words and everything derived from them that outlives a call: the last
     * keystream blocks, the Poly1305 key and state, and the scratch copies (they hold plaintext).
     */
    @Override
    public void destroy() {
        destroyed = true;
        java.util.Arrays.fill(keyWords, 0);
        java.util.Arrays.fill(block, 0);
        java.util.Arrays.fill(work, (byte) 0);
        poly.wipe();
        if (lanes != null) {
            lanes.wipe();
        }
    }

    @Override
    public boolean isDestroyed() {
        int any = 0;
        for (int w : keyWords) {
            any |= w;
        }
        return destroyed && any == 0;
    }

    /** The vector kernel for a message of {@code length} bytes, or {@code null} for the scalar one. */
    private ChaCha20Poly1305Lanes lanes(int length) {
        if (!vectorised || length < LANES_MIN) {
            return null;
        }
        if (lanes == null) {
            lanes = new ChaCha20Poly1305Lanes();
        }
        return lanes;
    }

    /**
     * The scratch copy of a native packet. Bulk copies in and out are memcpy intrinsics, and the
     * array loops below run about twice as fast as element access to a direct buffer (measured,
     * docs/perf-crypto.md). Grows once to the largest packet seen; never allocates after that.
     */
    private byte[] work(int size) {
        if (work.length < size) {
            java.util.Arrays.fill(work, (byte) 0); // it held plaintext
            work = new byte[Integer.highestOneBit(size - 1) << 1];
        }
        return work;
    }

    /** The tag over aad and ciphertext, left in {@link #poly}; the ciphertext through the lanes if given. */
    private void mac(ChaCha20Poly1305Lanes v, byte[] aad, byte[] a, int offset, int length) {
        int aadLength = aad == null ? 0 : aad.length;
        if (aadLength > 0) {
            poly.padded(aad, 0, aadLength);
        }
        if (v != null) {
            v.macPadded(poly, a, offset, length);
        } else {
            poly.padded(a, offset, length);
        }
        poly.lengths(aadLength, length);
        poly.finish();
    }

    private void polyKey(int n0, int n1, int n2) {
        ChaCha20.block(keyWords, 0, n0, n1, n2, block);
        poly.key(block);
    }

    private void xorKeystream(int n0, int n1, int n2, byte[] a, int offset, int length) {
        int counter = 1;
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            ChaCha20.block(keyWords, counter++, n0, n1, n2, block);
            int blockEnd = Math.min(pos + 64, end);
            int w = 0;
            for (; pos + 8 <= blockEnd; pos += 8, w += 2) {
                long ks = (block[w] & 0xffffffffL) | ((long) block[w + 1] << 32);
                LE_LONG_ARRAY.set(a, pos, (long) LE_LONG_ARRAY.get(a, pos) ^ ks);
            }
            if (pos + 4 <= blockEnd) {
                LE_INT_ARRAY.set(a, pos, (int) LE_INT_ARRAY.get(a, pos) ^ block[w]);
                pos += 4;
                w++;
            }
            for (int shift = 0; pos < blockEnd; pos++, shift += 8) {
                a[pos] ^= (byte) (block[w] >>> shift);
            }
        }
    }
}
