package io.switchyard.wireguard.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Poly1305 (RFC 8439 section 2.5) as the in-place engines use it: the 26-bit-limb "donna-32"
 * form on {@code long}s, five limbs, every product comfortably inside 64 bits. One instance is
 * reused for every message; {@link #key} starts a new one from ChaCha20 block 0.
 *
 * <p>The AEAD input is {@code aad | pad16 | ciphertext | pad16 | le64(|aad|) | le64(|ciphertext|)},
 * so every block is a full 16 bytes (the 2^128 bit always set); a short tail is zero-padded in a
 * scratch array. {@link #powers} and {@link #setAccumulator} let a vector kernel run many blocks
 * in parallel lanes and hand the sum back (VectorChaCha20Poly1305).
 */
final class Poly1305 {
    static final long M26 = 0x3ffffff;
    private static final VarHandle LE_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] scratch = new byte[16];
    // r, 5*r, the accumulator h, and the final pad s (then the tag).
    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private int p0, p1, p2, p3;

    /** Starts a message keyed by words 0..7 of ChaCha20 block 0: r (clamped) and s. */
    void key(int[] block0) {
        key(block0, 0);
    }

    /** As {@link #key(int[])}, block 0 at {@code at} in {@code words}. */
    void key(int[] words, int at) {
        long t0 = words[at] & 0xffffffffL, t1 = words[at + 1] & 0xffffffffL;
        long t2 = words[at + 2] & 0xffffffffL, t3 = words[at + 3] & 0xffffffffL;
        // Clamp r (RFC 8439 2.5) while splitting it into 26-bit limbs.
        r0 = t0 & 0x3ffffff;
        r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
        r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
        r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
        r4 = (t3 >>> 8) & 0x00fffff;
        s1 = r1 * 5; s2 = r2 * 5; s3 = r3 * 5; s4 = r4 * 5;
        h0 = h1 = h2 = h3 = h4 = 0;
        p0 = words[at + 4]; p1 = words[at + 5]; p2 = words[at + 6]; p3 = words[at + 7];
    }

    /** {@code length} bytes at {@code offset}, zero-padded to a multiple of 16. */
    void padded(byte[] a, int offset, int length) {
        int pos = offset;
        int full = offset + (length & ~15);
        for (; pos < full; pos += 16) {
            long lo = (long) LE_LONG.get(a, pos);
            long hi = (long) LE_LONG.get(a, pos + 8);
            block((int) lo, (int) (lo >>> 32), (int) hi, (int) (hi >>> 32));
        }
        int rest = offset + length - pos;
        if (rest > 0) {
            Arrays.fill(scratch, (byte) 0);
            System.arraycopy(a, pos, scratch, 0, rest);
            blockFromScratch();
        }
    }

    /** The AEAD's closing block: both lengths, little-endian 64-bit. */
    void lengths(int aadLength, int textLength) {
        Arrays.fill(scratch, (byte) 0);
        LE_INT.set(scratch, 0, aadLength);
        LE_INT.set(scratch, 8, textLength);
        blockFromScratch();
    }

    private void blockFromScratch() {
        block((int) LE_INT.get(scratch, 0), (int) LE_INT.get(scratch, 4),
                (int) LE_INT.get(scratch, 8), (int) LE_INT.get(scratch, 12));
    }

    /** One full 16-byte block, four little-endian words: h = (h + m + 2^128) * r. */
    void block(int m0, int m1, int m2, int m3) {
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
        carry(d0, d1, d2, d3, d4);
    }

    /** h = d with the carries propagated: every limb below 2^26 except h1 (at most a few bits over). */
    private void carry(long d0, long d1, long d2, long d3, long d4) {
        long c = d0 >>> 26; h0 = d0 & M26;
        d1 += c; c = d1 >>> 26; h1 = d1 & M26;
        d2 += c; c = d2 >>> 26; h2 = d2 & M26;
        d3 += c; c = d3 >>> 26; h3 = d3 & M26;
        d4 += c; c = d4 >>> 26; h4 = d4 & M26;
        h0 += c * 5; c = h0 >>> 26; h0 &= M26;
        h1 += c;
    }

    /**
     * r^1 .. r^count into {@code out}, five limbs each ({@code out[5 * (k - 1) + i]} is limb i of
     * r^k), every limb below 2^26 + 2^6 or so, as the multiplication's bounds need. Each power is
     * the product of two earlier ones, r^k = r^hi * r^(k - hi) with hi the highest power of two
     * below k, so r^3 and r^4 (and r^5 .. r^8) do not wait on each other.
     */
    void powers(long[] out, int count) {
        out[0] = r0; out[1] = r1; out[2] = r2; out[3] = r3; out[4] = r4;
        for (int k = 2; k <= count; k++) {
            int hi = Integer.highestOneBit(k - 1);
            multiply(out, 5 * (hi - 1), 5 * (k - hi - 1), 5 * (k - 1));
        }
    }

    /** {@code p[o..o+4] = p[x..x+4] * p[y..y+4] mod 2^130 - 5}, carried as {@link #carry} does. */
    private static void multiply(long[] p, int x, int y, int o) {
        long x0 = p[x], x1 = p[x + 1], x2 = p[x + 2], x3 = p[x + 3], x4 = p[x + 4];
        long y0 = p[y], y1 = p[y + 1], y2 = p[y + 2], y3 = p[y + 3], y4 = p[y + 4];
        long z1 = y1 * 5, z2 = y2 * 5, z3 = y3 * 5, z4 = y4 * 5;
        long d0 = x0 * y0 + x1 * z4 + x2 * z3 + x3 * z2 + x4 * z1;
        long d1 = x0 * y1 + x1 * y0 + x2 * z4 + x3 * z3 + x4 * z2;
        long d2 = x0 * y2 + x1 * y1 + x2 * y0 + x3 * z4 + x4 * z3;
        long d3 = x0 * y3 + x1 * y2 + x2 * y1 + x3 * y0 + x4 * z4;
        long d4 = x0 * y4 + x1 * y3 + x2 * y2 + x3 * y1 + x4 * y0;
        long c = d0 >>> 26; d0 &= M26;
        d1 += c; c = d1 >>> 26; d1 &= M26;
        d2 += c; c = d2 >>> 26; d2 &= M26;
        d3 += c; c = d3 >>> 26; d3 &= M26;
        d4 += c; c = d4 >>> 26; d4 &= M26;
        d0 += c * 5; c = d0 >>> 26; d0 &= M26;
        p[o] = d0; p[o + 1] = d1 + c; p[o + 2] = d2; p[o + 3] = d3; p[o + 4] = d4;
    }

    /** The accumulator's five limbs into {@code out[0..4]}. */
    void accumulator(long[] out) {
        out[0] = h0; out[1] = h1; out[2] = h2; out[3] = h3; out[4] = h4;
    }

    /**
     * Replaces the accumulator with a value whose limbs may each be up to 2^40 or so (a sum over
     * vector lanes), reduced back to the bounds {@link #block} needs.
     */
    void setAccumulator(long a0, long a1, long a2, long a3, long a4) {
        carry(a0, a1, a2, a3, a4);
    }

    /** Fully reduces h mod 2^130 - 5 and adds s: the tag, read with {@link #writeTag} or {@link #tagDiffers}. */
    void finish() {
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

    /** Writes the 16-byte tag at {@code at}. */
    void writeTag(byte[] a, int at) {
        LE_INT.set(a, at, p0);
        LE_INT.set(a, at + 4, p1);
        LE_INT.set(a, at + 8, p2);
        LE_INT.set(a, at + 12, p3);
    }

    /** Whether the 16 bytes at {@code at} differ from the tag, compared in constant time. */
    boolean tagDiffers(byte[] a, int at) {
        int diff = (p0 ^ (int) LE_INT.get(a, at)) | (p1 ^ (int) LE_INT.get(a, at + 4))
                | (p2 ^ (int) LE_INT.get(a, at + 8)) | (p3 ^ (int) LE_INT.get(a, at + 12));
        return diff != 0;
    }

    /** Zeroes the key, the state and the scratch block. */
    void wipe() {
        Arrays.fill(scratch, (byte) 0);
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        h0 = h1 = h2 = h3 = h4 = 0;
        p0 = p1 = p2 = p3 = 0;
    }
}
