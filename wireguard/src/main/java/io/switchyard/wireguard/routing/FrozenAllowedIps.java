package io.switchyard.wireguard.routing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An immutable, lookup-only copy of an {@link AllowedIps} table, made by {@link AllowedIps#freeze()}:
 * the form the data path reads. Safe to share between any number of threads once published (all
 * fields are final and never written after construction), so the router can hand one snapshot to
 * every peer actor and publish a new one after a configuration change, the way the kernel swaps
 * trie nodes under RCU. Lookups allocate nothing.
 *
 * <h2>Layout</h2>
 * The trie is flattened into one {@code long[]} per family, four longs per node in depth-first
 * order: key high half, key low half, prefix length, and the two child indices packed into one
 * long. A node visit reads one or two cache lines of one array instead of chasing an object and
 * its fields. Owners sit in a parallel array. Full-length prefixes answer from the same
 * exact-match table as the mutable form. For IPv4 a 65,536-entry jump table indexed by the top 16
 * address bits holds, for each /16, the best owner among prefixes of length at most 16 and the
 * node where the walk continues, so a lookup skips the upper levels of the trie.
 */
public final class FrozenAllowedIps<V> {
    private static final ValueLayout.OfInt IPV4 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    static final int JUMP_BITS = 16;
    /** Longs per flattened node. */
    static final int STRIDE = 4;
    static final int HI = 0;
    static final int LO = 1;
    static final int BITS = 2;
    static final int CHILDREN = 3;

    private final long[] nodes4;
    private final Object[] owners4;
    private final long[] nodes6;
    private final Object[] owners6;
    private final int root6;
    private final HostRoutes<V> hosts4;
    private final HostRoutes<V> hosts6;
    /** Per top-16-bit value: node index where the IPv4 walk resumes (-1: nothing deeper). */
    private final int[] jumpStart;
    /** Per top-16-bit value: owner of the longest prefix of length <= 16 containing it. */
    private final Object[] jumpBest;
    private final int size;

    FrozenAllowedIps(long[] nodes4, Object[] owners4, long[] nodes6, Object[] owners6,
            HostRoutes<V> hosts4, HostRoutes<V> hosts6, int size) {
        this.nodes4 = nodes4;
        this.owners4 = owners4;
        this.nodes6 = nodes6;
        this.owners6 = owners6;
        this.root6 = owners6.length > 0 ? 0 : -1;
        this.hosts4 = hosts4;
        this.hosts6 = hosts6;
        this.size = size;
        this.jumpStart = new int[1 << JUMP_BITS];
        this.jumpBest = new Object[1 << JUMP_BITS];
        fillJump(owners4.length > 0 ? 0 : -1, null, 0, 0);
    }

    static long children(int zero, int one) {
        return (long) (zero + 1) << 32 | (one + 1) & 0xffffffffL;
    }

    /**
     * Fills the jump entries of the /16s whose top {@code fixed} bits equal those of
     * {@code first}, for walks that reached node {@code k} with {@code best} so far. Nodes shorter
     * than 16 bits only ever look at the top 16 address bits (their own prefix and their branch
     * bit), so their outcome is the same for every address of one /16: resolve them here once.
     */
    private void fillJump(int k, Object best, int first, int fixed) {
        int count = 1 << (JUMP_BITS - fixed);
        if (k < 0 || (int) nodes4[k * STRIDE + BITS] >= JUMP_BITS) {
            java.util.Arrays.fill(jumpStart, first, first + count, k);
            java.util.Arrays.fill(jumpBest, first, first + count, best);
            return;
        }
        int base = k * STRIDE;
        int bits = (int) nodes4[base + BITS];
        int nodeTop = (int) (nodes4[base + HI] >>> (64 - JUMP_BITS)); // the node's top 16 bits
        // /16s in this range that do not match the node: the walk ends here with `best`.
        java.util.Arrays.fill(jumpStart, first, first + count, -1);
        java.util.Arrays.fill(jumpBest, first, first + count, best);
        int keep = JUMP_BITS - bits; // low bits of the top-16 value free under the node's prefix
        int matchFirst = nodeTop >>> keep << keep;
        if (matchFirst < first || matchFirst >= first + count) {
            return; // cannot happen for a consistent trie; nothing matches
        }
        Object here = owners4[k] != null ? owners4[k] : best;
        long ch = nodes4[base + CHILDREN];
        int half = 1 << (keep - 1);
        fillJump((int) (ch >>> 32) - 1, here, matchFirst, bits + 1);
        fillJump((int) ch - 1, here, matchFirst + half, bits + 1);
    }

    // ------------------------------------------------------------------ lookups

    /** The owner of the longest prefix containing the IPv4 address {@code addr}, or null. */
    @SuppressWarnings("unchecked")
    public V lookupV4(int addr) {
        long key = (long) addr << 32;
        V host = hosts4.isEmpty() ? null : hosts4.get(key, 0);
        if (host != null) {
            return host;
        }
        int top = addr >>> (32 - JUMP_BITS);
        Object found = jumpBest[top];
        Object deeper = walk(nodes4, owners4, jumpStart[top], key, 0, 32);
        return (V) (deeper != null ? deeper : found);
    }

    /** The owner of the longest prefix containing the IPv6 address {@code hi:lo}, or null. */
    @SuppressWarnings("unchecked")
    public V lookupV6(long hi, long lo) {
        V host = hosts6.isEmpty() ? null : hosts6.get(hi, lo);
        if (host != null) {
            return host;
        }
        return (V) walk(nodes6, owners6, root6, hi, lo, 128);
    }

    /** {@link #lookupV4(int)} of the 4 network-order bytes at {@code offset} of {@code packet}. */
    public V lookupV4(MemorySegment packet, long offset) {
        return lookupV4(packet.get(IPV4, offset));
    }

    /** {@link #lookupV6(long, long)} of the 16 network-order bytes at {@code offset}. */
    public V lookupV6(MemorySegment packet, long offset) {
        return lookupV6(packet.get(IPV6_HALF, offset), packet.get(IPV6_HALF, offset + 8));
    }

    /** Whether {@code peer} owns the IPv4 address {@code addr} (the crypto-RP source check). */
    public boolean ownsV4(int addr, V peer) {
        V owner = lookupV4(addr);
        return owner != null && owner.equals(peer);
    }

    /** Whether {@code peer} owns the IPv6 address {@code hi:lo}. */
    public boolean ownsV6(long hi, long lo, V peer) {
        V owner = lookupV6(hi, lo);
        return owner != null && owner.equals(peer);
    }

    /** {@link #ownsV4(int, Object)} of the address at {@code offset} of {@code packet}. */
    public boolean ownsV4(MemorySegment packet, long offset, V peer) {
        return ownsV4(packet.get(IPV4, offset), peer);
    }

    /** {@link #ownsV6(long, long, Object)} of the address at {@code offset} of {@code packet}. */
    public boolean ownsV6(MemorySegment packet, long offset, V peer) {
        return ownsV6(packet.get(IPV6_HALF, offset), packet.get(IPV6_HALF, offset + 8), peer);
    }

    /** The number of prefixes in this snapshot. */
    public int size() {
        return size;
    }

    private static Object walk(long[] nodes, Object[] owners, int k, long hi, long lo, int max) {
        Object found = null;
        while (k >= 0) {
            int base = k * STRIDE;
            int bits = (int) nodes[base + BITS];
            long maskHi = bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
            long maskLo = bits <= 64 ? 0 : -1L << (128 - bits);
            if (((hi ^ nodes[base + HI]) & maskHi) != 0 || ((lo ^ nodes[base + LO]) & maskLo) != 0) {
                break;
            }
            Object owner = owners[k];
            if (owner != null) {
                found = owner;
            }
            if (bits == max) {
                break;
            }
            long ch = nodes[base + CHILDREN];
            int bit = (int) (bits < 64 ? hi >>> (63 - bits) : lo >>> (127 - bits)) & 1;
            k = (int) (bit == 0 ? ch >>> 32 : ch) - 1;
        }
        return found;
    }
}
