package io.switchyard.wireguard.routing;

import java.util.Arrays;

/**
 * Exact-match index of the full-length prefixes (/32, /128) of one address family, beside the
 * trie: a host route is by definition the longest match for its address, so a hit here ends the
 * lookup with one hash probe instead of a walk of ~log2(n) trie nodes. A hub whose peers each own
 * one /32 is the common WireGuard layout, and for it this is the whole lookup.
 *
 * <p>Open addressing with linear probing over parallel arrays (no per-entry objects, no boxing);
 * deletion shifts later entries of the same cluster back (no tombstones), so probe lengths do not
 * decay under churn. Load factor at most 1/2; the table doubles when it would exceed that.
 */
final class HostRoutes<V> {
    private long[] hi;
    private long[] lo;
    private Object[] values;
    private int mask;
    private int size;

    HostRoutes() {
        allocate(16);
    }

    private void allocate(int capacity) {
        hi = new long[capacity];
        lo = new long[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
    }

    /** A 64-bit mix (the murmur3 finaliser) of both halves; the table uses the top bits. */
    private static int home(long h, long l, int mask) {
        long x = h * 0x9E3779B97F4A7C15L ^ l;
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        x ^= x >>> 33;
        return (int) x & mask;
    }

    @SuppressWarnings("unchecked")
    V get(long h, long l) {
        Object[] vals = values;
        int m = mask;
        for (int i = home(h, l, m); ; i = (i + 1) & m) {
            Object v = vals[i];
            if (v == null) {
                return null;
            }
            if (hi[i] == h && lo[i] == l) {
                return (V) v;
            }
        }
    }

    boolean isEmpty() {
        return size == 0;
    }

    void put(long h, long l, V value) {
        if (2 * (size + 1) > values.length) {
            grow();
        }
        int i = home(h, l, mask);
        while (values[i] != null) {
            if (hi[i] == h && lo[i] == l) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        hi[i] = h;
        lo[i] = l;
        values[i] = value;
        size++;
    }

    void remove(long h, long l) {
        int i = home(h, l, mask);
        while (values[i] != null) {
            if (hi[i] == h && lo[i] == l) {
                size--;
                shiftBack(i);
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Empties slot {@code hole} and moves later entries of its cluster that may fill it. */
    private void shiftBack(int hole) {
        int j = hole;
        while (true) {
            values[hole] = null;
            while (true) {
                j = (j + 1) & mask;
                if (values[j] == null) {
                    return;
                }
                int k = home(hi[j], lo[j], mask);
                // Entry j may move to the hole only if its home is not cyclically in (hole, j].
                boolean stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
                if (!stays) {
                    break;
                }
            }
            hi[hole] = hi[j];
            lo[hole] = lo[j];
            values[hole] = values[j];
            hole = j;
        }
    }

    private void grow() {
        long[] oldHi = hi;
        long[] oldLo = lo;
        Object[] oldValues = values;
        allocate(oldValues.length * 2);
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldHi[i], oldLo[i], v);
            }
        }
    }

    void clear() {
        Arrays.fill(values, null);
        size = 0;
    }
}
