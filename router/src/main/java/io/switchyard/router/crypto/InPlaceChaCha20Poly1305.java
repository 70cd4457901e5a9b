package io.switchyard.router.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link Aead} in plain Java that works in place and allocates nothing per packet.
 *
 * <p>Algorithm (RFC 8439): ChaCha20 block 0 gives the Poly1305 one-time key; blocks 1.. are the
 * keystream XORed over the payload 8 bytes at a time through a little-endian {@link VarHandle}
 * array view: a heap buffer is worked on in its own array, a direct (native) one through a
 * reused scratch array with one bulk copy in and one out (its byte order is never read). Poly1305 is the
 * 26-bit-limb "donna-32" form on {@code long}s: five limbs, products fit easily in 64 bits. The
 * AEAD input is {@code aad | pad16 | ciphertext | pad16 | le64(|aad|) | le64(|ciphertext|)}, so
 * every Poly1305 block is a full 16 bytes; a short tail is zero-padded in a scratch array.
 *
 * <p>{@code open} authenticates before it decrypts and compares the tag in constant time, so a
 * packet that fails leaves the buffer exactly as received.
 */
public final class InPlaceChaCha20Poly1305 implements Aead {
    private static final VarHandle LE_LONG_ARRAY =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT_ARRAY =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffff;

    private final int[] keyWords = new int[8];
    private final int[] block = new int[16];
    private final byte[] scratch = new byte[16];
    private byte[] work = new byte[2048];
    // Poly1305 state: r, 5*r, accumulator h, and the final pad s.
    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private int p0, p1, p2, p3;
    private boolean destroyed;

    public InPlaceChaCha20Poly1305(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + key.length);
        }
        for (int i = 0; i < 8; i++) {
            keyWords[i] = (int) LE_INT_ARRAY.get(key, 4 * i);
        }
    }

    @Override
    public String engine() {
        return "in-place-java";
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
        polyKey(n0, n1, n2);
        xorKeystream(n0, n1, n2, a, at, length);
        macAadAndText(aad, a, at, length);
        finish();
        int t = at + length;
        LE_INT_ARRAY.set(a, t, p0);
        LE_INT_ARRAY.set(a, t + 4, p1);
        LE_INT_ARRAY.set(a, t + 8, p2);
        LE_INT_ARRAY.set(a, t + 12, p3);
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
        polyKey(n0, n1, n2);
        macAadAndText(aad, a, at, textLength);
        finish();
        int t = at + textLength;
        int diff = (p0 ^ (int) LE_INT_ARRAY.get(a, t)) | (p1 ^ (int) LE_INT_ARRAY.get(a, t + 4))
                | (p2 ^ (int) LE_INT_ARRAY.get(a, t + 8)) | (p3 ^ (int) LE_INT_ARRAY.get(a, t + 12));
        if (diff != 0) {
            return -1;
        }
        xorKeystream(n0, n1, n2, a, at, textLength);
        if (direct) {
            b.put(offset, a, 0, textLength);
        }
        return textLength;
    }

    /**
     * Zeroes the key words and everything derived from them that outlives a call: the last
     * keystream block, the Poly1305 key and state, and the scratch copies (they hold plaintext).
     */
    @Override
    public void destroy() {
        destroyed = true;
        java.util.Arrays.fill(keyWords, 0);
        java.util.Arrays.fill(block, 0);
        java.util.Arrays.fill(scratch, (byte) 0);
        java.util.Arrays.fill(work, (byte) 0);
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        h0 = h1 = h2 = h3 = h4 = 0;
        p0 = p1 = p2 = p3 = 0;
    }

    @Override
    public boolean isDestroyed() {
        int any = 0;
        for (int w : keyWords) {
            any |= w;
        }
        return destroyed && any == 0;
    }

    /**
     * The scratch copy of a native packet. Bulk copies in and out are memcpy intrinsics, and the
     * array loops below run about twice as fast as element access to a direct buffer (measured,
     * docs/perf-crypto.md). Grows once to the largest packet seen; never allocates after that.
     */
    private byte[] work(int size) {
        if (work.length < size) {
            work = new byte[Integer.highestOneBit(size - 1) << 1];
        }
        return work;
    }

    private void macAadAndText(byte[] aad, byte[] a, int offset, int length) {
        int aadLength = aad == null ? 0 : aad.length;
        if (aadLength > 0) {
            polyPadded(aad, 0, aadLength);
        }
        polyPadded(a, offset, length);
        java.util.Arrays.fill(scratch, (byte) 0);
        LE_INT_ARRAY.set(scratch, 0, aadLength);
        LE_INT_ARRAY.set(scratch, 8, length);
        polyBlockFromScratch();
    }

    // --- ChaCha20 -------------------------------------------------------------------------

    private void chachaBlock(int counter, int n0, int n1, int n2) {
        int x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
        int x4 = keyWords[0], x5 = keyWords[1], x6 = keyWords[2], x7 = keyWords[3];
        int x8 = keyWords[4], x9 = keyWords[5], x10 = keyWords[6], x11 = keyWords[7];
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int i = 0; i < 10; i++) {
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8);
            x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8);
            x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8);
            x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8);
            x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);

            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8);
            x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8);
            x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8);
            x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8);
            x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        int[] o = block;
        o[0] = x0 + 0x61707865; o[1] = x1 + 0x3320646e; o[2] = x2 + 0x79622d32; o[3] = x3 + 0x6b206574;
        o[4] = x4 + keyWords[0]; o[5] = x5 + keyWords[1]; o[6] = x6 + keyWords[2]; o[7] = x7 + keyWords[3];
        o[8] = x8 + keyWords[4]; o[9] = x9 + keyWords[5]; o[10] = x10 + keyWords[6]; o[11] = x11 + keyWords[7];
        o[12] = x12 + counter; o[13] = x13 + n0; o[14] = x14 + n1; o[15] = x15 + n2;
    }

    private void xorKeystream(int n0, int n1, int n2, byte[] a, int offset, int length) {
        int counter = 1;
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            chachaBlock(counter++, n0, n1, n2);
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

    // --- Poly1305 -------------------------------------------------------------------------

    private void polyKey(int n0, int n1, int n2) {
        chachaBlock(0, n0, n1, n2);
        long t0 = block[0] & 0xffffffffL, t1 = block[1] & 0xffffffffL;
        long t2 = block[2] & 0xffffffffL, t3 = block[3] & 0xffffffffL;
        // Clamp r (RFC 8439 2.5) while splitting it into 26-bit limbs.
        r0 = t0 & 0x3ffffff;
        r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
        r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
        r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
        r4 = (t3 >>> 8) & 0x00fffff;
        s1 = r1 * 5; s2 = r2 * 5; s3 = r3 * 5; s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        p0 = block[4]; p1 = block[5]; p2 = block[6]; p3 = block[7];
    }

    private void polyPadded(byte[] a, int offset, int length) {
        int pos = offset;
        int full = offset + (length & ~15);
        for (; pos < full; pos += 16) {
            long lo = (long) LE_LONG_ARRAY.get(a, pos);
            long hi = (long) LE_LONG_ARRAY.get(a, pos + 8);
            polyBlock((int) lo, (int) (lo >>> 32), (int) hi, (int) (hi >>> 32));
        }
        int rest = offset + length - pos;
        if (rest > 0) {
            java.util.Arrays.fill(scratch, (byte) 0);
            System.arraycopy(a, pos, scratch, 0, rest);
            polyBlockFromScratch();
        }
    }

    private void polyBlockFromScratch() {
        polyBlock((int) LE_INT_ARRAY.get(scratch, 0), (int) LE_INT_ARRAY.get(scratch, 4),
                (int) LE_INT_ARRAY.get(scratch, 8), (int) LE_INT_ARRAY.get(scratch, 12));
    }

    private void polyBlock(int m0, int m1, int m2, int m3) {
        long t0 = m0 & 0xffffffffL, t1 = m1 & 0xffffffffL, t2 = m2 & 0xffffffffL, t3 = m3 & 0xffffffffL;
        long a0 = h0 + (t0 & M26);
        long a1 = h1 + (((t0 >>> 26) | (t1 << 6)) & M26);
        long a2 = h2 + (((t1 >>> 20) | (t2 << 12)) & M26);
        long a3 = h3 + (((t2 >>> 14) | (t3 << 18)) & M26);
        long a4 = h4 + ((t3 >>> 8) | (1L << 24)); // the 2^128 bit of a full block

        long d0 = a0 * r0 + a1 * s4 + a2 * s3 + a3 * s2 + a4 * s1;
        long d1 = a0 * r1 + a1 * r0 + a2 * s4 + a3 * s3 + a4 * s2;
        long d2 = a0 * r2 + a1 * r1 + a2 * r0 + a3 * s4 + a4 * s3;
        long d3 = a0 * r3 + a1 * r2 + a2 * r1 + a3 * r0 + a4 * s4;
        long d4 = a0 * r4 + a1 * r3 + a2 * r2 + a3 * r1 + a4 * r0;

        long c = d0 >>> 26; h0 = d0 & M26;
        d1 += c; c = d1 >>> 26; h1 = d1 & M26;
        d2 += c; c = d2 >>> 26; h2 = d2 & M26;
        d3 += c; c = d3 >>> 26; h3 = d3 & M26;
        d4 += c; c = d4 >>> 26; h4 = d4 & M26;
        h0 += c * 5; c = h0 >>> 26; h0 &= M26;
        h1 += c;
    }

    /** Fully reduces h mod 2^130 - 5, adds s and leaves the tag words in p0..p3. */
    private void finish() {
        long c = h1 >>> 26; h1 &= M26;
        h2 += c; c = h2 >>> 26; h2 &= M26;
        h3 += c; c = h3 >>> 26; h3 &= M26;
        h4 += c; c = h4 >>> 26; h4 &= M26;
        h0 += c * 5; c = h0 >>> 26; h0 &= M26;
        h1 += c;

        long g0 = h0 + 5; c = g0 >>> 26; g0 &= M26;
        long g1 = h1 + c; c = g1 >>> 26; g1 &= M26;
        long g2 = h2 + c; c = g2 >>> 26; g2 &= M26;
        long g3 = h3 + c; c = g3 >>> 26; g3 &= M26;
        long g4 = h4 + c - (1L << 26);
        // g4 negative means h < p: keep h; otherwise take g = h - p. Branch-free.
        long keepG = (g4 >>> 63) - 1;
        long keepH = ~keepG;
        h0 = (h0 & keepH) | (g0 & keepG);
        h1 = (h1 & keepH) | (g1 & keepG);
        h2 = (h2 & keepH) | (g2 & keepG);
        h3 = (h3 & keepH) | (g3 & keepG);
        h4 = (h4 & keepH) | (g4 & keepG);

        long w0 = (h0 | (h1 << 26)) & 0xffffffffL;
        long w1 = ((h1 >>> 6) | (h2 << 20)) & 0xffffffffL;
        long w2 = ((h2 >>> 12) | (h3 << 14)) & 0xffffffffL;
        long w3 = ((h3 >>> 18) | (h4 << 8)) & 0xffffffffL;

        long f = w0 + (p0 & 0xffffffffL);
        p0 = (int) f;
        f = w1 + (p1 & 0xffffffffL) + (f >>> 32);
        p1 = (int) f;
        f = w2 + (p2 & 0xffffffffL) + (f >>> 32);
        p2 = (int) f;
        f = w3 + (p3 & 0xffffffffL) + (f >>> 32);
        p3 = (int) f;
    }
}
