package io.switchyard.bench.zerocopy;

import io.switchyard.counters.CounterSet;
import io.switchyard.zerocopy.MpmcBufferPool;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Packet buffer acquire + release, the pool against two baselines in the same run:
 * <ul>
 *   <li>{@code pool*}: {@link MpmcBufferPool} (lock-free tagged Treiber stack of slot indexes).</li>
 *   <li>{@code clq*}: a {@link ConcurrentLinkedQueue} of preallocated segments (allocates a node
 *       per offer).</li>
 *   <li>{@code arena*}: a confined {@link Arena} allocating and freeing a segment per packet
 *       (malloc/free plus arena bookkeeping), the "no pool" answer.</li>
 * </ul>
 * Single-thread: acquire, touch one byte, release. Burst: acquire 32 (a receive batch), touch,
 * release all 32. Cross-thread: one thread acquires and hands the buffer over a fixed SPSC ring
 * (the same ring for pool and CLQ) to a second thread that releases it: the actor hand-off shape.
 * Each cross-thread op is counted by both threads; compare pool and CLQ with each other only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PoolBench {
    static final int SLOTS = 4096;
    static final int BURST = 32;

    @State(Scope.Benchmark)
    public static class Pools {
        MpmcBufferPool pool;
        ConcurrentLinkedQueue<MemorySegment> clq;
        Arena clqArena;
        final SpscRing<Object> handOff = new SpscRing<>(1024);

        @Setup(Level.Trial)
        public void setUp() {
            pool = MpmcBufferPool.mtu(SLOTS, false, CounterSet.striped(ZerocopyCounter.class));
            clqArena = Arena.ofShared();
            clq = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < SLOTS; i++) {
                clq.add(clqArena.allocate(MpmcBufferPool.MTU_SLOT_BYTES, 64));
            }
        }

        @TearDown(Level.Iteration)
        public void drainHandOff() {
            for (Object o; (o = handOff.poll()) != null; ) {
                if (o instanceof PacketBuffer b) {
                    b.release();
                } else {
                    clq.add((MemorySegment) o);
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            pool.close();
            clqArena.close();
        }
    }

    @State(Scope.Thread)
    public static class Burst {
        final PacketBuffer[] buffers = new PacketBuffer[BURST];
        final MemorySegment[] segments = new MemorySegment[BURST];
    }

    @Benchmark
    public int poolSingle(Pools p) {
        PacketBuffer b = p.pool.acquire();
        b.slot().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        int index = b.index();
        b.release();
        return index;
    }

    @Benchmark
    public long clqSingle(Pools p) {
        MemorySegment s = p.clq.poll();
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        long address = s.address();
        p.clq.offer(s);
        return address;
    }

    @Benchmark
    public long arenaSingle() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(MpmcBufferPool.MTU_SLOT_BYTES, 64);
            s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            return s.address();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int poolBurst(Pools p, Burst burst) {
        int sum = 0;
        for (int i = 0; i < BURST; i++) {
            PacketBuffer b = p.pool.acquire();
            b.slot().set(ValueLayout.JAVA_BYTE, 0, (byte) i);
            burst.buffers[i] = b;
        }
        for (int i = 0; i < BURST; i++) {
            sum += burst.buffers[i].index();
            burst.buffers[i].release();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public long clqBurst(Pools p, Burst burst) {
        long sum = 0;
        for (int i = 0; i < BURST; i++) {
            MemorySegment s = p.clq.poll();
            s.set(ValueLayout.JAVA_BYTE, 0, (byte) i);
            burst.segments[i] = s;
        }
        for (int i = 0; i < BURST; i++) {
            sum += burst.segments[i].address();
            p.clq.offer(burst.segments[i]);
        }
        return sum;
    }

    @Benchmark
    @Group("poolCross")
    @GroupThreads(1)
    public void poolCrossAcquire(Pools p, Control control) {
        PacketBuffer b;
        while ((b = p.pool.acquire()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        b.slot().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        while (!p.handOff.offer(b)) {
            if (control.stopMeasurement) {
                b.release();
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("poolCross")
    @GroupThreads(1)
    public void poolCrossRelease(Pools p, Control control) {
        Object o;
        while ((o = p.handOff.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        ((PacketBuffer) o).release();
    }

    @Benchmark
    @Group("clqCross")
    @GroupThreads(1)
    public void clqCrossAcquire(Pools p, Control control) {
        MemorySegment s;
        while ((s = p.clq.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        while (!p.handOff.offer(s)) {
            if (control.stopMeasurement) {
                p.clq.offer(s);
                return;
            }
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @Group("clqCross")
    @GroupThreads(1)
    public void clqCrossRelease(Pools p, Control control) {
        Object o;
        while ((o = p.handOff.poll()) == null) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        p.clq.offer((MemorySegment) o);
    }
}
