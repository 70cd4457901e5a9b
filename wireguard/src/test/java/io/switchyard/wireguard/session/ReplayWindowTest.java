package io.switchyard.wireguard.session;

import io.switchyard.wireguard.WireGuard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayWindowTest {
    private static final long W = WireGuard.COUNTER_WINDOW_SIZE;
    private static final long T_LIM = W + 1;
    private static final long REJECT = WireGuard.REJECT_AFTER_MESSAGES;

    private ReplayWindow window = new ReplayWindow();
    private int step;

    /** One case of the kernel selftest: the pre-check must agree with the commit, then commit. */
    private void t(long counter, boolean expected) {
        step++;
        assertEquals(expected, window.mayAccept(counter), "mayAccept, step " + step + ", counter " + Long.toUnsignedString(counter));
        assertEquals(expected, window.accept(counter), "accept, step " + step + ", counter " + Long.toUnsignedString(counter));
    }

    private void init() {
        window = new ReplayWindow();
        step = 0;
    }

    /** The 34 numbered cases of drivers/net/wireguard/selftest/counter.c, in order. */
    @Test
    void kernelSelftestNumberedCases() {
        t(0, true);
        t(1, true);
        t(1, false);
        t(9, true);
        t(8, true);
        t(7, true);
        t(7, false);
        t(T_LIM, true);
        t(T_LIM - 1, true);
        t(T_LIM - 1, false);
        t(T_LIM - 2, true);
        t(2, true);
        t(2, false);
        t(T_LIM + 16, true);
        t(3, false);
        t(T_LIM + 16, false);
        t(T_LIM * 4, true);
        t(T_LIM * 4 - (T_LIM - 1), true);
        t(10, false);
        t(T_LIM * 4 - T_LIM, false);
        t(T_LIM * 4 - (T_LIM + 1), false);
        t(T_LIM * 4 - (T_LIM - 2), true);
        t(T_LIM * 4 + 1 - T_LIM, false);
        t(0, false);
        t(REJECT, false);
        t(REJECT - 1, true);
        t(REJECT, false);
        t(REJECT - 1, false);
        t(REJECT - 2, true);
        t(REJECT + 1, false);
        t(REJECT + 2, false);
        t(REJECT - 2, false);
        t(REJECT - 3, true);
        t(0, false);
    }

    /** The kernel selftest's full-window sweeps, forwards and backwards. */
    @Test
    void kernelSelftestWindowSweeps() {
        init();
        for (long i = 1; i <= W; i++) t(i, true);
        t(0, true);
        t(0, false);

        init();
        for (long i = 2; i <= W + 1; i++) t(i, true);
        t(1, true);
        t(0, false);

        init();
        for (long i = W + 1; i-- > 0; ) t(i, true);

        init();
        for (long i = W + 2; i-- > 1; ) t(i, true);
        t(0, false);

        init();
        for (long i = W + 1; i-- > 1; ) t(i, true);
        t(W + 1, true);
        t(0, false);

        init();
        for (long i = W + 1; i-- > 1; ) t(i, true);
        t(0, true);
        t(W + 1, true);
    }

    @Test
    void forgedHugeCounterChecksButDoesNotMoveTheWindow() {
        for (long i = 0; i < 100; i++) assertTrue(window.accept(i));
        long forged = REJECT - 1;
        // The pre-check says yes (it cannot know the tag is bad) ...
        assertTrue(window.mayAccept(forged));
        assertTrue(window.mayAccept(-2L >>> 1));
        // ... but because the packet never authenticated, accept() is not called: nothing moved.
        assertEquals(99, window.greatestAccepted());
        for (long i = 100; i < 200; i++) assertTrue(window.accept(i), "genuine counter " + i);
        for (long i = 0; i < 200; i++) assertFalse(window.mayAccept(i), "replay " + i);
    }

    @Test
    void countersAboveSignedMaxCompareUnsigned() {
        long big = Long.MIN_VALUE + 5; // 2^63 + 5 unsigned, negative as a signed long
        assertTrue(window.accept(big));
        assertFalse(window.mayAccept(big));
        assertFalse(window.accept(10), "far behind an unsigned-huge head");
        assertTrue(window.accept(big - 1));
        assertTrue(window.accept(big + 1));
        assertFalse(window.accept(big - W - 2));
        assertTrue(window.accept(big + 1 - W));
    }

    @Test
    void resetForgetsEverything() {
        assertTrue(window.accept(5000));
        assertFalse(window.accept(5000));
        window.reset();
        assertEquals(-1, window.greatestAccepted());
        assertTrue(window.accept(0));
        assertTrue(window.accept(5000));
    }

    /**
     * Random walks against the obvious definition: a set of every accepted counter plus the maximum.
     * Steps mix in-order runs, small reorders, duplicates, jumps inside and beyond the window, and
     * counters just at the window edge, where off-by-one mistakes live.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 42, 1234567})
    void randomizedAgainstReference(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Reference ref = new Reference();
        // Half the walks start at 0, half anywhere (unsigned), short of the limit.
        long base = rnd.nextBoolean() ? 0 : rnd.nextLong();
        if (Long.compareUnsigned(base, REJECT - (1L << 40)) > 0) {
            base = REJECT - (1L << 40);
        }
        long last = base;
        int accepted = 0;
        for (int i = 0; i < 60_000; i++) {
            // Steps back never go below the walk's base: a wrap to 2^64 - k would end the walk.
            long c = switch (rnd.nextInt(8)) {
                case 0 -> last + 1;
                case 1 -> last + rnd.nextInt(1, 200);
                case 2 -> back(last, rnd.nextInt(0, 200), base);
                case 3 -> back(ref.max, W + rnd.nextInt(-3, 4), base); // the window's lower edge
                case 4 -> last + rnd.nextInt(1, 3 * (int) W);
                case 5 -> back(last, rnd.nextInt(0, 2 * (int) W), base);
                case 6 -> ref.seen.isEmpty() ? last : back(ref.seen.last(), rnd.nextInt(0, 64), base);
                // Late in the walk, now and then, jump to the limit and probe around it.
                default -> i > 50_000 && rnd.nextInt(200) == 0 ? REJECT - rnd.nextInt(0, 5) : last + rnd.nextInt(0, 10);
            };
            boolean expected = ref.accepts(c);
            assertEquals(expected, window.mayAccept(c), "mayAccept seed " + seed + " step " + i);
            // Sometimes the packet "fails authentication": the window must not change.
            if (rnd.nextInt(10) == 0) {
                continue;
            }
            assertEquals(expected, window.accept(c), "accept seed " + seed + " step " + i);
            if (expected) {
                ref.record(c);
                last = c;
            }
            accepted += expected ? 1 : 0;
        }
        assertTrue(accepted > 10_000, "the walk exercised the window: " + accepted + " accepted");
    }

    private static long back(long from, long delta, long base) {
        return Long.compareUnsigned(from - base, delta) < 0 ? base : from - delta;
    }

    /** The slow obvious replay filter. */
    private static final class Reference {
        final TreeSet<Long> seen = new TreeSet<>(Long::compareUnsigned);
        long max;
        boolean any;

        boolean accepts(long c) {
            if (Long.compareUnsigned(c, REJECT) >= 0) return false;
            if (seen.contains(c)) return false;
            // Too old: more than the window behind the greatest accepted counter.
            return !any || Long.compareUnsigned(c, max) > 0 || Long.compareUnsigned(max - c, W) <= 0;
        }

        void record(long c) {
            seen.add(c);
            if (!any || Long.compareUnsigned(c, max) > 0) max = c;
            any = true;
            // Keep the set small; nothing this old can matter again.
            while (Long.compareUnsigned(max - seen.first(), 4 * W) > 0) seen.pollFirst();
        }
    }
}
