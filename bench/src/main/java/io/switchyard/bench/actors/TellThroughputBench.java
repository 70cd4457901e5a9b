package io.switchyard.bench.actors;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tell throughput into one consumer from 1 and from 8 producer threads: the actor against a
 * LinkedBlockingQueue drained by a platform thread and against a virtual thread per message.
 * An op is one accepted message (a refused offer is retried after a yield, so the score is
 * bounded by what the consumer takes). Compare {@code kind}s within one run: the ratio is the result.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@State(Scope.Benchmark)
public class TellThroughputBench {
    @Param({"actor", "actor-padded", "lbq", "vthread"})
    public String kind;

    /** Messages per activation for the actor kinds (e.g. {@code -p throughput=64,1024}). */
    @Param({"64"})
    public int throughput;

    private Sinks.Sink sink;
    private static final Long MESSAGE = 42L;

    @Setup(Level.Trial)
    public void setUp() {
        sink = Sinks.create(kind, throughput);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        sink.close();
    }

    private void send() {
        // Yield, not spin, on a full sink: with 8 producers on a 2-core machine, spinning
        // producers take the CPU the consumer needs and the score measures the OS scheduler.
        while (!sink.offer(MESSAGE)) {
            Thread.yield();
        }
    }

    @Benchmark
    @Threads(1)
    public void oneToOne() {
        send();
    }

    @Benchmark
    @Threads(8)
    public void eightToOne() {
        send();
    }
}
