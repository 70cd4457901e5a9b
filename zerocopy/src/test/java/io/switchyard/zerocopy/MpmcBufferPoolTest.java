package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.counters.CounterSet;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

class MpmcBufferPoolTest {
    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final CounterSet<ZerocopyCounter> counters = CounterSet.striped(ZerocopyCounter.class);

    @Test
    void approximateFreeFollowsAcquireAndReleaseExactlyWhenQuiet() {
        MpmcBufferPool pool = leakCheck.mtu(100, counters);
        assertEquals(pool.capacity(), pool.approximateFree());
        java.util.List<PacketBuffer> held = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            held.add(pool.acquire());
        }
        assertEquals(pool.capacity() - 60, pool.approximateFree());
        for (PacketBuffer b : held) {
            b.release();
        }
        assertEquals(pool.capacity(), pool.approximateFree());
        assertEquals(0, pool.inUse());
    }

    @Test
    void slotsAreDistinctAlignedAndDisjoint() {
        MpmcBufferPool pool = leakCheck.mtu(3000, counters); // spans two 4 MiB chunks
        var held = new ArrayList<PacketBuffer>();
        var addresses = new HashSet<Long>();
        for (int i = 0; i < pool.capacity(); i++) {
            PacketBuffer b = pool.acquire();
            assertNotNull(b);
            assertEquals(MpmcBufferPool.MTU_SLOT_BYTES, b.capacity());
            assertEquals(0, b.slot().address() % 64, "cache-line aligned");
            assertTrue(addresses.add(b.slot().address()));
            b.slot().set(ValueLayout.JAVA_INT, 0, i);
            b.slot().set(ValueLayout.JAVA_INT, b.capacity() - 4, ~i);
            held.add(b);
        }
        // Writing every slot's first and last word did not clobber a neighbour.
        for (int i = 0; i < held.size(); i++) {
            assertEquals(i, held.get(i).slot().get(ValueLayout.JAVA_INT, 0));
            assertEquals(~i, held.get(i).slot().get(ValueLayout.JAVA_INT, held.get(i).capacity() - 4));
        }
        held.forEach(PacketBuffer::release);
        assertEquals(0, pool.inUse());
    }

    @Test
    void largeClassSlotsArePageAligned() {
        MpmcBufferPool pool = leakCheck.large(70, counters); // 64 per chunk: two chunks
        var held = new ArrayList<PacketBuffer>();
        for (int i = 0; i < 70; i++) {
            PacketBuffer b = pool.acquire();
            assertEquals(65536, b.capacity());
            assertEquals(0, b.slot().address() % 4096);
            held.add(b);
        }
        held.forEach(PacketBuffer::release);
    }

    @Test
    void exhaustionReturnsNullAndIsCounted() {
        MpmcBufferPool pool = leakCheck.mtu(4, counters);
        var held = new ArrayList<PacketBuffer>();
        for (int i = 0; i < 4; i++) {
            held.add(pool.acquire());
        }
        assertNull(pool.acquire());
        assertNull(pool.acquire());
        assertEquals(2, counters.get(ZerocopyCounter.POOL_EXHAUSTED));
        assertEquals(4, pool.inUse());
        held.removeLast().release();
        PacketBuffer back = pool.acquire();
        assertNotNull(back);
        back.release();
        held.forEach(PacketBuffer::release);
    }

    @Test
    void acquireResetsTheWindowAndTheFreeListIsFifo() {
        MpmcBufferPool pool = leakCheck.mtu(2, counters);
        PacketBuffer a = pool.acquire();
        a.window(14, 100);
        a.release();
        PacketBuffer b = pool.acquire();
        assertNotSame(a, b, "FIFO: the other free slot comes first");
        PacketBuffer again = pool.acquire();
        assertSame(a, again);
        assertEquals(0, again.offset());
        assertEquals(0, again.length());
        again.release();
        b.release();
    }

    @Test
    void windowOutsideSlotIsRejected() {
        MpmcBufferPool pool = leakCheck.mtu(1, counters);
        PacketBuffer b = pool.acquire();
        assertThrows(IndexOutOfBoundsException.class, () -> b.window(2000, 49));
        assertThrows(IndexOutOfBoundsException.class, () -> b.window(-1, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> b.window(0, Integer.MAX_VALUE));
        b.window(2000, 48);
        assertEquals(48, b.data().byteSize());
        b.release();
    }

    @Test
    void doubleReleaseInDebugPoolThrowsWithTheFirstReleaseAndLeavesPoolIntact() {
        var own = CounterSet.striped(ZerocopyCounter.class);
        try (MpmcBufferPool pool = MpmcBufferPool.mtu(2, true, own)) {
            PacketBuffer b = pool.acquire();
            assertTrue(b.release());
            var e = assertThrows(IllegalStateException.class, b::release);
            assertNotNull(e.getCause(), "the earlier release site");
            assertTrue(e.getCause().getMessage().contains("released here"));
            assertEquals(1, own.get(ZerocopyCounter.DOUBLE_RELEASE));
            // The free list was not corrupted: exactly two distinct slots come out.
            PacketBuffer x = pool.acquire();
            PacketBuffer y = pool.acquire();
            assertNotSame(x, y);
            assertNull(pool.acquire());
            x.release();
            y.release();
        }
    }

    @Test
    void doubleReleaseInProductionPoolIsCountedNotThrown() {
        var own = CounterSet.striped(ZerocopyCounter.class);
        try (MpmcBufferPool pool = MpmcBufferPool.mtu(2, false, own)) {
            PacketBuffer b = pool.acquire();
            assertTrue(b.release());
            assertFalse(b.release());
            assertEquals(1, own.get(ZerocopyCounter.DOUBLE_RELEASE));
            assertEquals(0, pool.inUse());
        }
    }

    @Test
    void releaseToTheWrongPoolIsRejected() {
        MpmcBufferPool a = leakCheck.mtu(1, counters);
        MpmcBufferPool b = leakCheck.mtu(1, counters);
        PacketBuffer buf = a.acquire();
        assertThrows(IllegalArgumentException.class, () -> b.release(buf));
        assertEquals(1, counters.get(ZerocopyCounter.FOREIGN_RELEASE));
        buf.release();
    }

    @Test
    void leakCheckNamesTheAcquirer() {
        var own = CounterSet.striped(ZerocopyCounter.class);
        try (MpmcBufferPool pool = MpmcBufferPool.mtu(4, true, own)) {
            PacketBuffer leaked = pool.acquire();
            var leaks = pool.leaks();
            assertEquals(1, leaks.size());
            assertEquals(leaked.index(), leaks.getFirst().slot());
            boolean namesThisTest = false;
            for (StackTraceElement e : leaks.getFirst().acquiredAt().getStackTrace()) {
                namesThisTest |= e.getMethodName().equals("leakCheckNamesTheAcquirer");
            }
            assertTrue(namesThisTest);
            // And the extension turns that into a failure.
            var check = new PoolLeakCheck();
            check.track(pool);
            assertThrows(AssertionError.class, () -> check.verifyAndClose("leakCheckNamesTheAcquirer"));
        }
    }

    @Test
    void closedPoolRefusesAcquireAndSlotsBecomeInaccessible() {
        MpmcBufferPool pool = MpmcBufferPool.mtu(2, false, counters);
        PacketBuffer b = pool.acquire();
        b.release();
        pool.close();
        assertThrows(IllegalStateException.class, pool::acquire);
        assertThrows(IllegalStateException.class, () -> b.slot().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void invalidSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MpmcBufferPool("x", 100, 1, true, counters));
        assertThrows(IllegalArgumentException.class, () -> new MpmcBufferPool("x", 64, 0, true, counters));
        assertThrows(IllegalArgumentException.class,
                () -> new MpmcBufferPool("x", MpmcBufferPool.CHUNK_BYTES * 2, 1, true, counters));
    }

    /** Random single-threaded operations against a set model: exact same answers. */
    @Test
    void randomizedAgainstAReferenceModel() {
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        var random = new SplittableRandom(7);
        var held = new ArrayList<PacketBuffer>();
        var modelHeld = new BitSet();
        long exhausted = 0;
        for (int step = 0; step < 200_000; step++) {
            if (random.nextInt(100) < 52) {
                PacketBuffer b = pool.acquire();
                if (modelHeld.cardinality() == 64) {
                    assertNull(b);
                    exhausted++;
                } else {
                    assertNotNull(b);
                    assertFalse(modelHeld.get(b.index()), "handed out a held slot");
                    modelHeld.set(b.index());
                    held.add(b);
                }
            } else if (!held.isEmpty()) {
                PacketBuffer b = held.remove(random.nextInt(held.size()));
                assertTrue(b.release());
                modelHeld.clear(b.index());
            }
            if (step % 10_000 == 0) {
                assertEquals(modelHeld.cardinality(), pool.inUse());
            }
        }
        assertEquals(exhausted, counters.get(ZerocopyCounter.POOL_EXHAUSTED));
        held.forEach(PacketBuffer::release);
    }

    /**
     * Many threads acquire, write a private stamp, verify it and release, some releasing
     * buffers acquired by other threads. Exact accounting: no slot is ever held twice at once
     * (the stamp would be overwritten), nothing is lost, exhaustion only when truly empty.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentAcquireAndCrossThreadReleaseKeepExactAccounting() throws Exception {
        int threads = 8;
        int slots = 64;
        int opsPerThread = 100_000;
        MpmcBufferPool pool = leakCheck.mtu(slots, counters);
        var handOff = new ConcurrentLinkedQueue<PacketBuffer>();
        var acquired = new AtomicLong();
        var released = new AtomicLong();
        var failures = new ConcurrentLinkedQueue<String>();
        var start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int stamp = t + 1;
                futures.add(executor.submit(() -> {
                    start.await();
                    var mine = new ArrayDeque<PacketBuffer>();
                    var random = new SplittableRandom(stamp);
                    for (int i = 0; i < opsPerThread; i++) {
                        PacketBuffer b = pool.acquire();
                        if (b != null) {
                            acquired.incrementAndGet();
                            long word = ((long) stamp << 32) | i;
                            b.slot().set(ValueLayout.JAVA_LONG, 0, word);
                            Thread.onSpinWait();
                            if (b.slot().get(ValueLayout.JAVA_LONG, 0) != word) {
                                failures.add("slot " + b.index() + " shared between two holders");
                            }
                            if (random.nextBoolean()) {
                                handOff.add(b); // someone else releases it
                            } else {
                                mine.add(b);
                            }
                        }
                        if (mine.size() > 3 || (b == null && !mine.isEmpty())) {
                            mine.poll().release();
                            released.incrementAndGet();
                        }
                        PacketBuffer other = handOff.poll();
                        if (other != null) {
                            other.release();
                            released.incrementAndGet();
                        }
                    }
                    for (PacketBuffer b : mine) {
                        b.release();
                        released.incrementAndGet();
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
        for (PacketBuffer b; (b = handOff.poll()) != null; ) {
            b.release();
            released.incrementAndGet();
        }
        assertTrue(failures.isEmpty(), () -> failures.peek());
        assertEquals(acquired.get(), released.get());
        assertEquals(0, pool.inUse());
        assertEquals((long) threads * opsPerThread, acquired.get() + counters.get(ZerocopyCounter.POOL_EXHAUSTED));
        // Every slot is still reachable exactly once.
        var all = new ArrayList<PacketBuffer>();
        var seen = new BitSet();
        for (PacketBuffer b; (b = pool.acquire()) != null; ) {
            assertFalse(seen.get(b.index()));
            seen.set(b.index());
            all.add(b);
        }
        assertEquals(slots, all.size());
        all.forEach(PacketBuffer::release);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentDoubleReleasesNeverCorruptTheFreeList() throws Exception {
        var own = CounterSet.striped(ZerocopyCounter.class);
        try (MpmcBufferPool pool = MpmcBufferPool.mtu(16, false, own)) {
            var successes = new AtomicLong();
            var rounds = 20_000;
            // Two threads race to release the same buffer every round: exactly one may win.
            for (int round = 0; round < rounds; round++) {
                PacketBuffer b = pool.acquire();
                var go = new CountDownLatch(1);
                Runnable r = () -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (b.release()) {
                        successes.incrementAndGet();
                    }
                };
                if (round % 1000 == 0) {
                    Thread t1 = Thread.ofPlatform().start(r);
                    Thread t2 = Thread.ofPlatform().start(r);
                    go.countDown();
                    t1.join();
                    t2.join();
                } else {
                    go.countDown();
                    r.run();
                    r.run();
                }
            }
            assertEquals(rounds, successes.get());
            assertEquals(rounds, own.get(ZerocopyCounter.DOUBLE_RELEASE));
            var seen = new BitSet();
            int n = 0;
            for (PacketBuffer b; (b = pool.acquire()) != null; n++) {
                assertFalse(seen.get(b.index()));
                seen.set(b.index());
            }
            assertEquals(16, n);
        }
    }
}
