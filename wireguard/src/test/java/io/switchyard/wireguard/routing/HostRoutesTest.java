package io.switchyard.wireguard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.wireguard.bench.AllocationMeter;
import io.switchyard.wireguard.session.ReplayWindow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HostRoutesTest {
    record Key(long hi, long lo) {}

    /**
     * Against a HashMap, with heavy churn so that clusters form, grow and get shifted back. Keys
     * come from a small pool so that re-inserts and removals hit existing entries.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void randomizedAgainstHashMap(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        HostRoutes<String> table = new HostRoutes<>();
        Map<Key, String> ref = new HashMap<>();
        List<Key> pool = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // Half IPv4-shaped keys (lo == 0, hi's low half zero), half dense IPv6-ish ones.
            pool.add(rnd.nextBoolean() ? new Key((long) rnd.nextInt() << 32, 0) : new Key(rnd.nextLong(4), rnd.nextLong(4096)));
        }
        for (int step = 0; step < 60_000; step++) {
            Key k = pool.get(rnd.nextInt(pool.size()));
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    String v = "v" + rnd.nextInt(5);
                    table.put(k.hi, k.lo, v);
                    ref.put(k, v);
                }
                case 1 -> {
                    table.remove(k.hi, k.lo);
                    ref.remove(k);
                }
                default -> assertEquals(ref.get(k), table.get(k.hi, k.lo), "seed " + seed + " step " + step);
            }
            assertEquals(ref.isEmpty(), table.isEmpty());
        }
        for (Key k : pool) {
            assertEquals(ref.get(k), table.get(k.hi, k.lo));
        }
    }

    /** The hot-path calls must not allocate: measured with the JDK's per-thread counter. */
    @Test
    void lookupsAndReplayChecksDoNotAllocate() {
        AllowedIps<String> t = new AllowedIps<>();
        SplittableRandom rnd = new SplittableRandom(7);
        int[] v4 = new int[1000];
        for (int i = 0; i < v4.length; i++) {
            v4[i] = rnd.nextInt();
            t.insertV4(v4[i], i % 3 == 0 ? 32 : 8 + rnd.nextInt(24), "p" + (i % 50));
            t.insertV6(rnd.nextLong(), rnd.nextLong(), i % 2 == 0 ? 128 : rnd.nextInt(129), "p" + (i % 50));
        }
        long[] sink = new long[1];
        long lookups = AllocationMeter.allocatedBy(() -> {
            for (int r = 0; r < 200; r++) {
                for (int a : v4) {
                    if (t.lookupV4(a) != null) sink[0]++;
                    if (t.lookupV6(a, ~a) != null) sink[0]++;
                }
            }
        });
        FrozenAllowedIps<String> frozen = t.freeze();
        long frozenLookups = AllocationMeter.allocatedBy(() -> {
            for (int r = 0; r < 200; r++) {
                for (int a : v4) {
                    if (frozen.lookupV4(a) != null) sink[0]++;
                    if (frozen.lookupV6(a, ~a) != null) sink[0]++;
                }
            }
        });
        ReplayWindow w = new ReplayWindow();
        long replay = AllocationMeter.allocatedBy(() -> {
            for (long c = 0; c < 200_000; c++) {
                long counter = c * 3 % 10_007 + c;
                if (w.mayAccept(counter) && w.accept(counter)) sink[0]++;
            }
        });
        assertTrue(sink[0] > 0);
        // 400,000 lookups and 200,000 window checks; allow a few stray bytes (JIT, safepoints).
        assertTrue(lookups < 4096, "trie lookups allocated " + lookups + " bytes");
        assertTrue(frozenLookups < 4096, "frozen lookups allocated " + frozenLookups + " bytes");
        assertTrue(replay < 4096, "replay checks allocated " + replay + " bytes");
    }
}
