package io.switchyard.bench.protocol;

import io.switchyard.wireguard.session.ReplayWindow;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Replay check of a slightly reordered counter stream (every pair swapped, every 16th counter
 * repeated): our {@link ReplayWindow} against an obvious reference, a {@code TreeSet<Long>} of
 * the counters inside the window (trimmed as the window moves).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplayWindowBench {
    static final long WINDOW = 8192 - 64;
    private ReplayWindow ours;
    private TreeSet<Long> reference;
    private long referenceTop;
    private long i;

    @Setup
    public void setup() {
        ours = new ReplayWindow();
        reference = new TreeSet<>();
        referenceTop = -1;
    }

    private long next() {
        long n = i++;
        if ((n & 15) == 15) {
            return n - 3; // a replay
        }
        return n ^ 1; // pairs swapped
    }

    @Benchmark
    public boolean ours() {
        return ours.accept(next());
    }

    @Benchmark
    public boolean treeSetReference() {
        long c = next();
        if (c + WINDOW <= referenceTop || !reference.add(c)) {
            return false;
        }
        if (c > referenceTop) {
            referenceTop = c;
            while (!reference.isEmpty() && reference.first() + WINDOW <= referenceTop) {
                reference.pollFirst();
            }
        }
        return true;
    }
}
