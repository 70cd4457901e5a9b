package io.switchyard.bench.actors;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Activation cost: one message to an idle consumer and back to the benchmark thread (which
 * parks until the consumer unparks it). For the actor this is the whole idle → scheduled →
 * virtual thread start → handle → idle cycle; the baselines are a platform thread blocked in
 * {@link LinkedBlockingQueue#take} and a virtual thread started for the message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ActivationCostBench {
    @Param({"actor", "lbq", "vthread"})
    public String kind;

    private ActorSystem system;
    private ActorRef<Thread> actor;
    private final LinkedBlockingQueue<Thread> queue = new LinkedBlockingQueue<>();
    private Thread consumer;
    private volatile boolean handled;

    @Setup(Level.Trial)
    public void setUp() {
        if (kind.equals("actor")) {
            system = ActorSystem.create("activation");
            actor = system.spawn(Props.<Thread>of(ctx -> this::reply), "idle");
        } else if (kind.equals("lbq")) {
            consumer = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    for (;;) {
                        reply(queue.take());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    private void reply(Thread waiter) {
        handled = true;
        LockSupport.unpark(waiter);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (system != null) {
            system.shutdown(Duration.ofSeconds(10));
        }
        if (consumer != null) {
            consumer.interrupt();
        }
    }

    @Benchmark
    public void wakeIdleConsumer() {
        handled = false;
        Thread me = Thread.currentThread();
        switch (kind) {
            case "actor" -> actor.tell(me);
            case "lbq" -> queue.add(me);
            default -> Thread.startVirtualThread(() -> reply(me));
        }
        while (!handled) {
            LockSupport.park(this);
        }
    }
}
