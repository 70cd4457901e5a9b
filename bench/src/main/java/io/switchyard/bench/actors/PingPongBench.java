package io.switchyard.bench.actors;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ping-pong round trip between two parties, {@value #RALLY} round trips per invocation, score
 * per round trip: two actors, two platform threads over {@link SynchronousQueue}s (the naive
 * baseline), and a fresh virtual thread per message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PingPongBench {
    static final int RALLY = 1000;

    @Param({"actor", "lbq", "vthread"})
    public String kind;

    private ActorSystem system;
    private ActorRef<Integer> ping;
    private volatile Thread waiter;
    private final SynchronousQueue<Integer> toPong = new SynchronousQueue<>();
    private final SynchronousQueue<Integer> toPing = new SynchronousQueue<>();
    private Thread pong;

    @Setup(Level.Trial)
    public void setUp() {
        if (kind.equals("actor")) {
            system = ActorSystem.create("pingpong");
            ActorRef<Integer>[] pingRef = newRefArray();
            ActorRef<Integer> pongRef = system.spawn(Props.<Integer>of(ctx -> n -> pingRef[0].tell(n)), "pong");
            ping = system.spawn(Props.<Integer>of(ctx -> n -> {
                if (n == 0) {
                    done = true;
                    LockSupport.unpark(waiter);
                } else {
                    pongRef.tell(n - 1);
                }
            }), "ping");
            pingRef[0] = ping;
        } else if (kind.equals("lbq")) {
            pong = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    for (;;) {
                        toPing.put(toPong.take());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static ActorRef<Integer>[] newRefArray() {
        return new ActorRef[1];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (system != null) {
            system.shutdown(Duration.ofSeconds(10));
        }
        if (pong != null) {
            pong.interrupt();
        }
    }

    private volatile boolean done;

    private void vthreadVolley(int n) {
        if (n == 0) {
            done = true;
            LockSupport.unpark(waiter);
        } else {
            Thread.startVirtualThread(() -> vthreadVolley(n - 1));
        }
    }

    @Benchmark
    @OperationsPerInvocation(RALLY)
    public void roundTrip() throws InterruptedException {
        switch (kind) {
            case "actor" -> {
                waiter = Thread.currentThread();
                done = false;
                // ping handles 0 by waking us; it decrements once per round trip via pong
                ping.tell(RALLY);
                parkUntilDoneActor();
            }
            case "lbq" -> {
                for (int i = 0; i < RALLY; i++) {
                    toPong.put(i);
                    toPing.take();
                }
            }
            default -> {
                waiter = Thread.currentThread();
                done = false;
                vthreadVolley(2 * RALLY); // two one-way hops per round trip
                while (!done) {
                    LockSupport.park(this);
                }
            }
        }
    }

    private void parkUntilDoneActor() {
        while (!done) {
            LockSupport.park(this);
        }
    }
}
