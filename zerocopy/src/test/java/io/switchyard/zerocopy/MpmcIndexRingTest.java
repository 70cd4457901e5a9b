package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MpmcIndexRingTest {

    @Test
    void capacityRoundsUpToAPowerOfTwo() {
        assertEquals(2, new MpmcIndexRing(1).capacity());
        assertEquals(4, new MpmcIndexRing(3).capacity());
        assertEquals(4, new MpmcIndexRing(4).capacity());
        assertEquals(4096, new MpmcIndexRing(3000).capacity());
    }

    /** Many laps around a tiny ring against an ArrayDeque: same answers, full and empty exact. */
    @Test
    void randomizedAgainstAnArrayDeque() {
        var ring = new MpmcIndexRing(4);
        var model = new ArrayDeque<Integer>();
        var random = new SplittableRandom(3);
        for (int step = 0; step < 100_000; step++) {
            if (random.nextBoolean()) {
                int v = random.nextInt(1 << 20);
                boolean accepted = ring.offer(v);
                assertEquals(model.size() < 4, accepted);
                if (accepted) {
                    model.add(v);
                }
            } else {
                int v = ring.poll();
                Integer expected = model.poll();
                assertEquals(expected == null ? MpmcIndexRing.EMPTY : expected, v);
            }
        }
    }

    /** Producers and consumers on many threads: every value comes out exactly once. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentOffersAndPollsLoseAndDuplicateNothing() throws Exception {
        int threads = 4;
        int perThread = 50_000;
        var ring = new MpmcIndexRing(64);
        var seen = new AtomicIntegerArray(threads * perThread);
        var start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads * 2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        while (!ring.offer(base + i)) {
                            Thread.yield();
                        }
                    }
                    return null;
                }));
                futures.add(executor.submit(() -> {
                    start.await();
                    for (int n = 0; n < perThread; ) {
                        int v = ring.poll();
                        if (v == MpmcIndexRing.EMPTY) {
                            Thread.yield();
                            continue;
                        }
                        assertEquals(0, seen.getAndIncrement(v), "value " + v + " polled twice");
                        n++;
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            executor.shutdownNow();
        }
        for (int i = 0; i < seen.length(); i++) {
            assertEquals(1, seen.get(i), "value " + i);
        }
        assertEquals(MpmcIndexRing.EMPTY, ring.poll());
        assertTrue(ring.offer(1));
        assertFalse(ring.poll() == MpmcIndexRing.EMPTY);
    }
}
