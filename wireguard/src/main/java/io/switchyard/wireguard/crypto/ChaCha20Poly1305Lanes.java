package io.switchyard.wireguard.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link InPlaceChaCha20Poly1305} for long messages. One instance per
 * engine, reused for every message: it allocates nothing after construction.
 *
 * <p><b>ChaCha20.</b> A pass computes as many blocks as the preferred int vector has lanes (16
 * with AVX-512), one block per lane: word i of every block lives in vector {@code x_i}, so the
 * rounds are plain lane-wise adds, xors and rotates with no shuffles. The pass is scattered into
 * {@code ks} in block order and XORed over the message a vector of bytes at a time. Pass 0 starts
 * at counter 0, so its lane 0 is the Poly1305 key and lanes 1.. the first keystream blocks: a
 * 1,420-byte WireGuard payload takes two passes, where the JDK cipher computes three (one for
 * the key alone). The lanes of a message's last pass that it does not need compute the first
 * blocks of the next counter's message instead, and a message whose nonce is that one starts
 * from them: consecutive 1,420-byte packets of a session take three passes per two packets.
 *
 * <p><b>Poly1305.</b> With {@code n} lanes of longs and r the message's key, lane l accumulates
 * blocks l, l+n, l+2n, ... as {@code acc = (acc + m) * r^n}, and the last group multiplies lane l
 * by {@code r^(n-l)} instead; the lanes' sum is then the Horner result for all those blocks
 * (block j ends up multiplied by r^(blocks-j)). A running accumulator (after associated data)
 * enters as lane 0's start value. Limbs are the 26-bit ones of {@link Poly1305}; the remaining
 * blocks and the tail go through the scalar code.
 */
final class ChaCha20Poly1305Lanes {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final int BLOCKS = INTS.length();
    private static final int LANES = LONGS.length();
    private static final int VECTOR_BYTES = BYTES.length();
    /** Scatter map of a pass: lane b of word i goes to {@code ks[16 * b + i]}. */
    private static final int[] BLOCK_ORDER = new int[BLOCKS];
    private static final IntVector LANE_INDEX = IntVector.zero(INTS).addIndex(1);
    private static final VarHandle LE_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = Poly1305.M26;
    /** Lanes 0, 2, 4, ... and 1, 3, 5, ... of two vectors (indices past the first select from the second). */
    private static final VectorShuffle<Long> EVEN = VectorShuffle.fromOp(LONGS, i -> 2 * i);
    private static final VectorShuffle<Long> ODD = VectorShuffle.fromOp(LONGS, i -> 2 * i + 1);

    static {
        for (int b = 0; b < BLOCKS; b++) {
            BLOCK_ORDER[b] = 16 * b;
        }
    }

    private final int[] ks = new int[16 * BLOCKS];
    private int[] key;
    private int n0, n1, n2;
    private int passCounter;
    private int nextBlock;
    /** Blocks of the current message, the Poly1305 key's included. */
    private int need;
    // Lanes of the last pass past the end of its message hold blocks 0.. of the next nonce (the
    // counter plus one: a session's next packet, which is what usually comes): lanes aheadFrom..
    // of ks, valid while ahead is set.
    private boolean ahead;
    private int aheadFrom, aheadN0, aheadN1, aheadN2;
    // Poly1305: r^1..r^LANES, the last group's per-lane multipliers, the accumulator.
    private final long[] powers = new long[5 * LANES];
    private final long[] lastR = new long[5 * LANES];
    private final long[] acc = new long[5];

    /** ChaCha20 blocks per pass: the preferred int vector's lanes. */
    static int blocksPerPass() {
        return BLOCKS;
    }

    /**
     * Starts a message of {@code length} bytes: keys {@code poly} from its block 0, which the
     * previous message's last pass computed if this nonce follows its nonce, else pass 0 does.
     */
    void start(int[] key, int n0, int n1, int n2, int length, Poly1305 poly) {
        this.key = key;
        this.n0 = n0;
        this.n1 = n1;
        this.n2 = n2;
        this.need = 1 + ((length + 63) >>> 6);
        int base = 0;
        if (ahead && n0 == aheadN0 && n1 == aheadN1 && n2 == aheadN2) {
            base = aheadFrom; // block j of this message is lane base + j
            passCounter = -base;
            ahead = false;
        } else {
            ahead = false;
            pass(0);
        }
        poly.key(ks, 16 * base);
        nextBlock = base + 1;
    }

    /** XORs the keystream from block 1 on over {@code length} bytes at {@code offset}. */
    void xorKeystream(byte[] a, int offset, int length) {
        int pos = offset;
        int end = offset + length;
        while (pos < end) {
            if (nextBlock == BLOCKS) {
                pass(passCounter + BLOCKS);
                nextBlock = 0;
            }
            int n = Math.min((BLOCKS - nextBlock) * 64, end - pos);
            xorRun(a, pos, n, 16 * nextBlock);
            pos += n;
            nextBlock += (n + 63) >>> 6;
        }
    }

    private void xorRun(byte[] a, int pos, int n, int word) {
        int i = 0;
        for (; i + VECTOR_BYTES <= n; i += VECTOR_BYTES) {
            ByteVector k = IntVector.fromArray(INTS, ks, word + (i >>> 2)).reinterpretAsBytes();
            ByteVector.fromArray(BYTES, a, pos + i).lanewise(VectorOperators.XOR, k).intoArray(a, pos + i);
        }
        for (; i + 4 <= n; i += 4) {
            LE_INT.set(a, pos + i, (int) LE_INT.get(a, pos + i) ^ ks[word + (i >>> 2)]);
        }
        for (; i < n; i++) {
            a[pos + i] ^= (byte) (ks[word + (i >>> 2)] >>> (8 * (i & 3)));
        }
    }

    private void pass(int counter) {
        IntVector x0 = IntVector.broadcast(INTS, ChaCha20.C0), x1 = IntVector.broadcast(INTS, ChaCha20.C1);
        IntVector x2 = IntVector.broadcast(INTS, ChaCha20.C2), x3 = IntVector.broadcast(INTS, ChaCha20.C3);
        IntVector x4 = IntVector.broadcast(INTS, key[0]), x5 = IntVector.broadcast(INTS, key[1]);
        IntVector x6 = IntVector.broadcast(INTS, key[2]), x7 = IntVector.broadcast(INTS, key[3]);
        IntVector x8 = IntVector.broadcast(INTS, key[4]), x9 = IntVector.broadcast(INTS, key[5]);
        IntVector x10 = IntVector.broadcast(INTS, key[6]), x11 = IntVector.broadcast(INTS, key[7]);
        // Lanes past the message's last block compute the next nonce's first blocks instead.
        IntVector blocks = LANE_INDEX.add(counter);
        VectorMask<Integer> next = blocks.compare(VectorOperators.GE, need);
        int m1 = n1 + 1;
        int m2 = m1 == 0 ? n2 + 1 : n2;
        IntVector counters = blocks.sub(need, next);
        IntVector nonce1 = IntVector.broadcast(INTS, n1).blend(m1, next);
        IntVector nonce2 = IntVector.broadcast(INTS, n2).blend(m2, next);
        IntVector x12 = counters;
        IntVector x13 = IntVector.broadcast(INTS, n0), x14 = nonce1, x15 = nonce2;
        for (int i = 0; i < 10; i++) {
            // Columns.
            x0 = x0.add(x4); x12 = x12.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 16);
            x1 = x1.add(x5); x13 = x13.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 16);
            x2 = x2.add(x6); x14 = x14.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 16);
            x3 = x3.add(x7); x15 = x15.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 16);
            x8 = x8.add(x12); x4 = x4.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 12);
            x9 = x9.add(x13); x5 = x5.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 12);
            x10 = x10.add(x14); x6 = x6.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 12);
            x11 = x11.add(x15); x7 = x7.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 12);
            x0 = x0.add(x4); x12 = x12.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 8);
            x1 = x1.add(x5); x13 = x13.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 8);
            x2 = x2.add(x6); x14 = x14.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 8);
            x3 = x3.add(x7); x15 = x15.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 8);
            x8 = x8.add(x12); x4 = x4.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 7);
            x9 = x9.add(x13); x5 = x5.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 7);
            x10 = x10.add(x14); x6 = x6.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 7);
            x11 = x11.add(x15); x7 = x7.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 7);
            // Diagonals.
            x0 = x0.add(x5); x15 = x15.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 16);
            x1 = x1.add(x6); x12 = x12.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 16);
            x2 = x2.add(x7); x13 = x13.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 16);
            x3 = x3.add(x4); x14 = x14.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 16);
            x10 = x10.add(x15); x5 = x5.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 12);
            x11 = x11.add(x12); x6 = x6.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 12);
            x8 = x8.add(x13); x7 = x7.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 12);
            x9 = x9.add(x14); x4 = x4.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 12);
            x0 = x0.add(x5); x15 = x15.lanewise(VectorOperators.XOR, x0).lanewise(VectorOperators.ROL, 8);
            x1 = x1.add(x6); x12 = x12.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.ROL, 8);
            x2 = x2.add(x7); x13 = x13.lanewise(VectorOperators.XOR, x2).lanewise(VectorOperators.ROL, 8);
            x3 = x3.add(x4); x14 = x14.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.ROL, 8);
            x10 = x10.add(x15); x5 = x5.lanewise(VectorOperators.XOR, x10).lanewise(VectorOperators.ROL, 7);
            x11 = x11.add(x12); x6 = x6.lanewise(VectorOperators.XOR, x11).lanewise(VectorOperators.ROL, 7);
            x8 = x8.add(x13); x7 = x7.lanewise(VectorOperators.XOR, x8).lanewise(VectorOperators.ROL, 7);
            x9 = x9.add(x14); x4 = x4.lanewise(VectorOperators.XOR, x9).lanewise(VectorOperators.ROL, 7);
        }
        x0.add(ChaCha20.C0).intoArray(ks, 0, BLOCK_ORDER, 0);
        x1.add(ChaCha20.C1).intoArray(ks, 1, BLOCK_ORDER, 0);
        x2.add(ChaCha20.C2).intoArray(ks, 2, BLOCK_ORDER, 0);
        x3.add(ChaCha20.C3).intoArray(ks, 3, BLOCK_ORDER, 0);
        x4.add(key[0]).intoArray(ks, 4, BLOCK_ORDER, 0);
        x5.add(key[1]).intoArray(ks, 5, BLOCK_ORDER, 0);
        x6.add(key[2]).intoArray(ks, 6, BLOCK_ORDER, 0);
        x7.add(key[3]).intoArray(ks, 7, BLOCK_ORDER, 0);
        x8.add(key[4]).intoArray(ks, 8, BLOCK_ORDER, 0);
        x9.add(key[5]).intoArray(ks, 9, BLOCK_ORDER, 0);
        x10.add(key[6]).intoArray(ks, 10, BLOCK_ORDER, 0);
        x11.add(key[7]).intoArray(ks, 11, BLOCK_ORDER, 0);
        x12.add(counters).intoArray(ks, 12, BLOCK_ORDER, 0);
        x13.add(n0).intoArray(ks, 13, BLOCK_ORDER, 0);
        x14.add(nonce1).intoArray(ks, 14, BLOCK_ORDER, 0);
        x15.add(nonce2).intoArray(ks, 15, BLOCK_ORDER, 0);
        passCounter = counter;
        int from = need - counter;
        if (from < BLOCKS) {
            ahead = true;
            aheadFrom = Math.max(from, 0);
            aheadN0 = n0;
            aheadN1 = m1;
            aheadN2 = m2;
        }
    }

    /**
     * {@code length} bytes at {@code offset} into {@code poly}, zero-padded to 16: whole groups
     * of {@code LANES} blocks in the lanes, the rest scalar.
     */
    void macPadded(Poly1305 poly, byte[] a, int offset, int length) {
        int groups = (length >>> 4) / LANES;
        if (groups == 0) {
            poly.padded(a, offset, length);
            return;
        }
        poly.powers(powers, LANES);
        // Every group but the last multiplies by r^LANES in all lanes, the last by r^(LANES - l).
        int top = 5 * (LANES - 1);
        LongVector q0 = LongVector.broadcast(LONGS, powers[top]), q1 = LongVector.broadcast(LONGS, powers[top + 1]);
        LongVector q2 = LongVector.broadcast(LONGS, powers[top + 2]), q3 = LongVector.broadcast(LONGS, powers[top + 3]);
        LongVector q4 = LongVector.broadcast(LONGS, powers[top + 4]);
        LongVector t1 = q1.mul(5), t2 = q2.mul(5), t3 = q3.mul(5), t4 = q4.mul(5);
        for (int l = 0; l < LANES; l++) {
            int from = 5 * (LANES - 1 - l); // lane l: r^(LANES - l)
            for (int i = 0; i < 5; i++) {
                lastR[i * LANES + l] = powers[from + i];
            }
        }
        poly.accumulator(acc);
        LongVector h0 = LongVector.zero(LONGS).withLane(0, acc[0]);
        LongVector h1 = LongVector.zero(LONGS).withLane(0, acc[1]);
        LongVector h2 = LongVector.zero(LONGS).withLane(0, acc[2]);
        LongVector h3 = LongVector.zero(LONGS).withLane(0, acc[3]);
        LongVector h4 = LongVector.zero(LONGS).withLane(0, acc[4]);
        int pos = offset;
        for (int g = 0; g < groups; g++, pos += 16 * LANES) {
            // Two vectors of bytes read as longs hold the group's blocks as lo, hi, lo, hi, ...
            LongVector first = ByteVector.fromArray(BYTES, a, pos).reinterpretAsLongs();
            LongVector second = ByteVector.fromArray(BYTES, a, pos + VECTOR_BYTES).reinterpretAsLongs();
            LongVector lo = first.rearrange(EVEN, second);
            LongVector hi = first.rearrange(ODD, second);
            LongVector a0 = h0.add(lo.and(M26));
            LongVector a1 = h1.add(lo.lanewise(VectorOperators.LSHR, 26).and(M26));
            LongVector a2 = h2.add(lo.lanewise(VectorOperators.LSHR, 52)
                    .or(hi.lanewise(VectorOperators.LSHL, 12)).and(M26));
            LongVector a3 = h3.add(hi.lanewise(VectorOperators.LSHR, 14).and(M26));
            LongVector a4 = h4.add(hi.lanewise(VectorOperators.LSHR, 40).or(1L << 24));
            if (g == groups - 1) {
                q0 = LongVector.fromArray(LONGS, lastR, 0);
                q1 = LongVector.fromArray(LONGS, lastR, LANES);
                q2 = LongVector.fromArray(LONGS, lastR, 2 * LANES);
                q3 = LongVector.fromArray(LONGS, lastR, 3 * LANES);
                q4 = LongVector.fromArray(LONGS, lastR, 4 * LANES);
                t1 = q1.mul(5); t2 = q2.mul(5); t3 = q3.mul(5); t4 = q4.mul(5);
            }
            LongVector d0 = a0.mul(q0).add(a1.mul(t4)).add(a2.mul(t3)).add(a3.mul(t2)).add(a4.mul(t1));
            LongVector d1 = a0.mul(q1).add(a1.mul(q0)).add(a2.mul(t4)).add(a3.mul(t3)).add(a4.mul(t2));
            LongVector d2 = a0.mul(q2).add(a1.mul(q1)).add(a2.mul(q0)).add(a3.mul(t4)).add(a4.mul(t3));
            LongVector d3 = a0.mul(q3).add(a1.mul(q2)).add(a2.mul(q1)).add(a3.mul(q0)).add(a4.mul(t4));
            LongVector d4 = a0.mul(q4).add(a1.mul(q3)).add(a2.mul(q2)).add(a3.mul(q1)).add(a4.mul(q0));
            LongVector c = d0.lanewise(VectorOperators.LSHR, 26);
            h0 = d0.and(M26);
            d1 = d1.add(c); c = d1.lanewise(VectorOperators.LSHR, 26); h1 = d1.and(M26);
            d2 = d2.add(c); c = d2.lanewise(VectorOperators.LSHR, 26); h2 = d2.and(M26);
            d3 = d3.add(c); c = d3.lanewise(VectorOperators.LSHR, 26); h3 = d3.and(M26);
            d4 = d4.add(c); c = d4.lanewise(VectorOperators.LSHR, 26); h4 = d4.and(M26);
            h0 = h0.add(c.mul(5));
            c = h0.lanewise(VectorOperators.LSHR, 26);
            h0 = h0.and(M26);
            h1 = h1.add(c);
        }
        poly.setAccumulator(h0.reduceLanes(VectorOperators.ADD), h1.reduceLanes(VectorOperators.ADD),
                h2.reduceLanes(VectorOperators.ADD), h3.reduceLanes(VectorOperators.ADD),
                h4.reduceLanes(VectorOperators.ADD));
        int done = 16 * LANES * groups;
        poly.padded(a, offset + done, length - done);
    }

    /** Zeroes the keystream, the key powers and the limbs (they derive from key and plaintext). */
    void wipe() {
        Arrays.fill(ks, 0);
        Arrays.fill(powers, 0);
        Arrays.fill(lastR, 0);
        Arrays.fill(acc, 0);
        ahead = false;
        key = null;
    }
}
