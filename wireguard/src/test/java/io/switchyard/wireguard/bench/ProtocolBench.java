package io.switchyard.wireguard.bench;

import io.switchyard.wireguard.session.ReplayWindow;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.routing.AllowedIps;
import io.switchyard.wireguard.routing.FrozenAllowedIps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Alternating A/B microbenchmarks for the replay window and the AllowedIPs trie; a stand-in until
 * the bench module depends on router and these become JMH classes. Not a test (named *Bench): run
 * it by hand, see docs/perf-protocol.md for the command.
 *
 * <p>Each round runs every case once, in the same order, and reports ns per operation; the first
 * round is warm-up and discarded. Medians and min..max over the remaining rounds are printed,
 * with ratios against each case's baseline from the same rounds.
 */
public final class ProtocolBench {
    private static final int PEERS = 10_000;
    private static final int LOOKUPS = 1 << 20;
    private static final int COUNTERS = 1 << 20;

    private static volatile Object sink;

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        SplittableRandom rnd = new SplittableRandom(42);

        // --- trie: 10,000 peers, each a /32 inside 10.0.0.0/8 plus, for the LPM case, a /24 each
        Object[] peers = new Object[PEERS];
        int[] hosts = new int[PEERS];
        AllowedIps<Object> exact = new AllowedIps<>();
        AllowedIps<Object> mixed = new AllowedIps<>();
        Map<Integer, Object> hashed = new HashMap<>();
        for (int i = 0; i < PEERS; i++) {
            peers[i] = new Object();
            int host;
            do {
                host = 0x0A000000 | rnd.nextInt(1 << 24);
            } while (hashed.containsKey(host));
            hosts[i] = host;
            exact.insertV4(host, 32, peers[i]);
            hashed.put(host, peers[i]);
            mixed.insertV4(0x0B000000 | i << 8, 24, peers[i]);
            mixed.insertV4(host, 32, peers[i]);
        }
        int[] queries = new int[LOOKUPS];
        int[] subnetQueries = new int[LOOKUPS];
        for (int i = 0; i < LOOKUPS; i++) {
            queries[i] = hosts[rnd.nextInt(PEERS)];
            subnetQueries[i] = 0x0B000000 | rnd.nextInt(PEERS) << 8 | rnd.nextInt(256);
        }
        long[][] v6 = new long[LOOKUPS][];
        AllowedIps<Object> exact6 = new AllowedIps<>();
        long[][] v6hosts = new long[PEERS][];
        for (int i = 0; i < PEERS; i++) {
            v6hosts[i] = new long[] {0xfd00_0000_0000_0000L | rnd.nextInt(1 << 16), rnd.nextLong()};
            exact6.insertV6(v6hosts[i][0], v6hosts[i][1], 128, peers[i]);
        }
        for (int i = 0; i < LOOKUPS; i++) {
            v6[i] = v6hosts[rnd.nextInt(PEERS)];
        }

        // --- replay: mostly in order with local reordering (pairs swapped, a few late packets)
        long[] counters = new long[COUNTERS];
        for (int i = 0; i < COUNTERS; i++) counters[i] = i;
        for (int i = 0; i + 1 < COUNTERS; i += 2 + rnd.nextInt(6)) {
            long t = counters[i];
            counters[i] = counters[i + 1];
            counters[i + 1] = t;
        }
        for (int i = 0; i < COUNTERS / 100; i++) {
            int j = rnd.nextInt(64, COUNTERS);
            counters[j] = counters[j] - rnd.nextInt(1, 64) ; // a duplicate or late packet
        }

        FrozenAllowedIps<Object> exactFrozen = exact.freeze();
        FrozenAllowedIps<Object> mixedFrozen = mixed.freeze();
        FrozenAllowedIps<Object> exact6Frozen = exact6.freeze();
        String[] names = {
            "trie v4 /32 lookup (10k peers)", "HashMap<Integer> /32 lookup (baseline)",
            "trie v4 LPM /24 lookup (20k prefixes)", "trie v6 /128 lookup (10k peers)",
            "ReplayWindow mayAccept+accept", "TreeSet reference (baseline)",
            "frozen v4 /32 lookup", "frozen v4 LPM /24 lookup", "frozen v6 /128 lookup",
        };
        double[][] results = new double[names.length][rounds];
        for (int r = 0; r <= rounds; r++) {
            double[] ns = {
                trie(exact, queries), hash(hashed, queries), trie(mixed, subnetQueries), trie6(exact6, v6),
                window(counters), treeSet(counters),
                frozen(exactFrozen, queries), frozen(mixedFrozen, subnetQueries), frozen6(exact6Frozen, v6),
            };
            if (r == 0) continue; // warm-up round
            for (int c = 0; c < names.length; c++) results[c][r - 1] = ns[c];
        }

        System.out.printf("%d measured rounds (+1 warm-up), A/B alternating within each round%n", rounds);
        double[] med = new double[names.length];
        for (int c = 0; c < names.length; c++) {
            double[] s = results[c].clone();
            Arrays.sort(s);
            med[c] = s[s.length / 2];
            System.out.printf("%-42s median %8.2f ns/op  (min %.2f, max %.2f)%n", names[c], med[c], s[0], s[s.length - 1]);
        }
        // Ratios paired within each round (both cases ran back to back), then the median: steadier
        // than a ratio of medians when the shared machine's load swings between rounds.
        System.out.printf("per-round ratio trie/HashMap (v4 /32): %s%n", pairedRatio(results[0], results[1]));
        System.out.printf("per-round ratio TreeSet/ReplayWindow:  %s%n", pairedRatio(results[5], results[4]));
        System.out.printf("per-round ratio trie/frozen LPM /24:   %s%n", pairedRatio(results[2], results[7]));
        System.out.printf("per-round ratio frozen/HashMap v4 /32: %s%n", pairedRatio(results[6], results[1]));
        freezeCost(rnd);
        System.out.printf("allocated bytes per op: frozen v4 LPM %.3f%n",
                allocPerOp(() -> frozen(mixedFrozen, subnetQueries)));
        System.out.printf("allocated bytes per op: trie v4 %.3f, trie v6 %.3f, window %.3f%n",
                allocPerOp(() -> trie(exact, queries)), allocPerOp(() -> trie6(exact6, v6)),
                allocPerOp(() -> window(counters)));
    }

    /** What publishing a snapshot costs: insert 100k peers (a /32 and a /128 each), then freeze. */
    private static void freezeCost(SplittableRandom rnd) {
        AllowedIps<Object> big = new AllowedIps<>();
        for (int i = 0; i < 100_000; i++) {
            Object p = new Object();
            big.insertV4(0x0A000000 | rnd.nextInt(1 << 24), 32, p);
            big.insertV6(0xfd00_0000_0000_0000L, rnd.nextLong(), 128, p);
        }
        double[] ms = new double[5];
        for (int r = 0; r < ms.length; r++) {
            long t0 = System.nanoTime();
            sink = big.freeze();
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("freeze of %d prefixes (100k peers): median %.1f ms (min %.1f, max %.1f) over 5%n",
                big.size(), ms[2], ms[0], ms[4]);
    }

    private static String pairedRatio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i] / b[i];
        Arrays.sort(r);
        return String.format("median %.2f (min %.2f, max %.2f)", r[r.length / 2], r[0], r[r.length - 1]);
    }

    private static double trie(AllowedIps<Object> table, int[] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (int q : queries) {
            if (table.lookupV4(q) != null) hits++;
        }
        long t1 = System.nanoTime();
        sink = hits;
        return (t1 - t0) / (double) queries.length;
    }

    private static double trie6(AllowedIps<Object> table, long[][] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (long[] q : queries) {
            if (table.lookupV6(q[0], q[1]) != null) hits++;
        }
        long t1 = System.nanoTime();
        sink = hits;
        return (t1 - t0) / (double) queries.length;
    }

    private static double frozen(FrozenAllowedIps<Object> table, int[] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (int q : queries) {
            if (table.lookupV4(q) != null) hits++;
        }
        long t1 = System.nanoTime();
        sink = hits;
        return (t1 - t0) / (double) queries.length;
    }

    private static double frozen6(FrozenAllowedIps<Object> table, long[][] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (long[] q : queries) {
            if (table.lookupV6(q[0], q[1]) != null) hits++;
        }
        long t1 = System.nanoTime();
        sink = hits;
        return (t1 - t0) / (double) queries.length;
    }

    private static double hash(Map<Integer, Object> table, int[] queries) {
        long t0 = System.nanoTime();
        int hits = 0;
        for (int q : queries) {
            if (table.get(q) != null) hits++;
        }
        long t1 = System.nanoTime();
        sink = hits;
        return (t1 - t0) / (double) queries.length;
    }

    private static double window(long[] counters) {
        ReplayWindow w = new ReplayWindow();
        long t0 = System.nanoTime();
        int accepted = 0;
        for (long c : counters) {
            if (w.mayAccept(c) && w.accept(c)) accepted++;
        }
        long t1 = System.nanoTime();
        sink = accepted;
        return (t1 - t0) / (double) counters.length;
    }

    /** The obvious filter: every counter seen in a sorted set, pruned to the window. */
    private static double treeSet(long[] counters) {
        TreeSet<Long> seen = new TreeSet<>();
        long max = -1;
        long window = WireGuard.COUNTER_WINDOW_SIZE;
        long t0 = System.nanoTime();
        int accepted = 0;
        for (long c : counters) {
            if (c + window < max || !seen.add(c)) continue;
            if (c > max) {
                max = c;
                while (seen.first() + window < max) seen.pollFirst();
            }
            accepted++;
        }
        long t1 = System.nanoTime();
        sink = accepted;
        return (t1 - t0) / (double) counters.length;
    }

    private static double allocPerOp(java.util.function.DoubleSupplier run) {
        return AllocationMeter.allocatedBy(run::getAsDouble) / (double) LOOKUPS; // LOOKUPS == COUNTERS
    }

    private ProtocolBench() {}
}
