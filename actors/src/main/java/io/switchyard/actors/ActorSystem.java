package io.switchyard.actors;

import io.switchyard.counters.CounterSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;

/**
 * An actor runtime: spawns actors, activates them on virtual threads (or a dedicated platform
 * thread where {@link Props#withDedicatedThread} asks for it), runs their timers on one shared
 * wheel, counts what went wrong ({@link ActorCounter}) and shuts down gracefully.
 *
 * <p>Threads: an idle actor holds none. A busy actor holds one virtual thread per activation
 * (see {@link Actor} and the activation protocol in the runtime's cell class); the only platform
 * threads the system owns are the timer thread (none with a {@link ManualClock}) and one per
 * dedicated-thread actor.
 *
 * <p>Shutdown ({@link #shutdown(Duration)}): new spawns are refused; every actor is asked to stop
 * once its mailbox is empty (its messages are handled first, and it may still receive messages
 * from actors that are draining too); after the timeout, actors still alive are stopped
 * outright, their queued messages becoming dead letters. Then the timer thread ends and the
 * call joins every activation and dedicated thread the system started: it returns true only
 * when each of them has really ended ({@link Thread#isAlive()} false), not merely reported that
 * its work is done.
 *
 * <p>Why a join and not a counter: the last thing a system thread can do is tell the system it
 * is ending, and between that call and the thread's exit there is a window (unmounting,
 * thread-exit bookkeeping) in which the thread is still alive. So a thread first puts itself on
 * the {@code exiting} queue, and only then leaves the counts shutdown waits on; shutdown, once
 * the counts are zero, joins everything on that queue. At any moment each thread the system
 * started is counted, on the queue, or dead. The queue is pruned of dead heads on every push,
 * so it holds roughly the threads that are exiting right now.
 */
public final class ActorSystem implements AutoCloseable {
    private static final Duration FORCED_STOP_GRACE = Duration.ofSeconds(5);

    private final String name;
    private final NanoClock clock;
    private final TimerWheel wheel;
    private final ThreadFactory virtualThreads;
    private final CounterSet<ActorCounter> counters =
            CounterSet.striped(ActorCounter.class);
    private final LongAdder runningThreads = new LongAdder();
    private final Set<ActorCell<?>> live = ConcurrentHashMap.newKeySet();
    private final Set<Thread> dedicatedThreads = ConcurrentHashMap.newKeySet();
    /** Threads that have done their last work and may not have exited yet (see the class doc). */
    private final ConcurrentLinkedQueue<Thread> exiting = new ConcurrentLinkedQueue<>();
    /** Test seam: runs on a system thread after it has counted itself out, just before it exits. */
    volatile Runnable exitHook;
    private final Object lifecycle = new Object();
    private volatile boolean shuttingDown;
    private volatile boolean terminated;

    private ActorSystem(Builder b) {
        this.name = b.name;
        this.clock = b.clock;
        this.virtualThreads = Thread.ofVirtual().name(name + "-actor").factory();
        this.wheel = new TimerWheel(this, clock, b.tick, name + "-timer");
    }

    /** A system with the real clock and a 1 ms timer tick. */
    public static ActorSystem create(String name) {
        return builder(name).build();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Options of an {@link ActorSystem}. */
    public static final class Builder {
        private final String name;
        private NanoClock clock = NanoClock.SYSTEM;
        private Duration tick = Duration.ofMillis(1);

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The clock of timers and restart budgets; a {@link ManualClock} makes time test-driven. */
        public Builder clock(NanoClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Timer resolution (default 1 ms). */
        public Builder tick(Duration tick) {
            if (tick.isNegative() || tick.isZero()) {
                throw new IllegalArgumentException("tick must be positive: " + tick);
            }
            this.tick = tick;
            return this;
        }

        public ActorSystem build() {
            return new ActorSystem(this);
        }
    }

    public String name() {
        return name;
    }

    public NanoClock clock() {
        return clock;
    }

    public Timers timers() {
        return wheel;
    }

    TimerWheel wheel() {
        return wheel;
    }

    /** Spawns a top-level actor. The name is a label (for threads and errors); it need not be unique. */
    public <M> ActorRef<M> spawn(Props<M> props, String name) {
        return spawn(props, name, null);
    }

    <M> ActorRef<M> spawn(Props<M> props, String actorName, ActorCell<?> parent) {
        Objects.requireNonNull(props, "props");
        Objects.requireNonNull(actorName, "name");
        if (shuttingDown) {
            throw new IllegalStateException("actor system " + name + " is shutting down");
        }
        ActorCell<M> cell = new ActorCell<>(this, props, parent, actorName);
        live.add(cell);
        if (parent != null && !parent.addChild(cell)) {
            cell.stop(); // parent died meanwhile: the child stops right after it starts
        }
        cell.start();
        return cell;
    }

    /** Current value of a counter. */
    public long counter(ActorCounter c) {
        return counters.get(c);
    }

    /** The counters as a set (descriptors with their values), for exporters. */
    public CounterSet<ActorCounter> counterSet() {
        return counters;
    }

    /** All counters, in id order. */
    public Map<ActorCounter, Long> counters() {
        Map<ActorCounter, Long> m = new EnumMap<>(ActorCounter.class);
        for (ActorCounter c : ActorCounter.values()) {
            m.put(c, counter(c));
        }
        return m;
    }

    /** Actors spawned and not yet terminated. */
    public int liveActors() {
        return live.size();
    }

    /** Activations running now plus dedicated actor threads alive. */
    public long runningThreads() {
        return runningThreads.sum();
    }

    void count(ActorCounter c) {
        counters.increment(c);
    }

    void count(ActorCounter c, long n) {
        counters.add(c, n);
    }

    void startActivation(ActorCell<?> cell) {
        count(ActorCounter.ACTIVATIONS);
        runningThreads.increment(); // before start: shutdown must never see zero while one is pending
        try {
            virtualThreads.newThread(cell).start();
        } catch (Throwable t) {
            runningThreads.decrement();
            throw t;
        }
    }

    /** Last call of an activation's virtual thread: queued for shutdown's join, then uncounted. */
    void activationEnded() {
        ending(Thread.currentThread());
        runningThreads.decrement();
    }

    void dedicatedStarted(Thread t) {
        runningThreads.increment();
        dedicatedThreads.add(t);
    }

    /** Last call of a dedicated thread: queued for shutdown's join, then uncounted. */
    void dedicatedEnded(Thread t) {
        ending(t);
        dedicatedThreads.remove(t);
        runningThreads.decrement();
    }

    /** Called by a system thread after {@link #activationEnded}/{@link #dedicatedEnded}. */
    void threadExiting() {
        Runnable hook = exitHook;
        if (hook != null) {
            hook.run();
        }
    }

    private void ending(Thread t) {
        // Prune dead heads first (at most two per push, so the queue cannot grow without bound
        // while threads keep exiting in order); remove(h) rather than poll() so that a racing
        // pruner never takes a live entry off the queue.
        for (int i = 0; i < 2; i++) {
            Thread h = exiting.peek();
            if (h == null || h.isAlive()) {
                break;
            }
            exiting.remove(h);
        }
        exiting.add(t);
    }

    void cellTerminated(ActorCell<?> cell) {
        live.remove(cell);
    }

    /**
     * Graceful shutdown: drain every actor, stop what is left after {@code timeout}, end all
     * threads. Returns true if every actor stopped with an empty mailbox within the timeout and
     * every thread the system started (timer, dedicated, activations) has ended. Idempotent; a
     * second call waits for the threads again and returns false.
     */
    public boolean shutdown(Duration timeout) {
        synchronized (lifecycle) {
            boolean first = !shuttingDown;
            shuttingDown = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean drained = false;
            if (first) {
                for (ActorCell<?> c : new ArrayList<>(live)) {
                    c.requestDrainStop();
                }
                drained = awaitUntil(() -> live.isEmpty(), deadline);
            }
            if (!live.isEmpty()) {
                for (ActorCell<?> c : new ArrayList<>(live)) {
                    c.stop();
                }
                awaitUntil(() -> live.isEmpty(), System.nanoTime() + FORCED_STOP_GRACE.toNanos());
            }
            boolean threadsEnded = false;
            try {
                boolean timerEnded = wheel.shutdown(FORCED_STOP_GRACE);
                for (Thread t : new ArrayList<>(dedicatedThreads)) {
                    t.join(FORCED_STOP_GRACE);
                }
                boolean counted = awaitUntil(() -> runningThreads.sum() == 0,
                        System.nanoTime() + FORCED_STOP_GRACE.toNanos());
                // Every thread has now counted itself out, so it is on `exiting` or dead.
                long joinDeadline = System.nanoTime() + FORCED_STOP_GRACE.toNanos();
                boolean joined = true;
                for (Thread t; (t = exiting.peek()) != null; ) {
                    if (t == Thread.currentThread()) { // shutdown called from an actor: cannot join itself
                        joined = false;
                        exiting.remove(t);
                        continue;
                    }
                    long left = Math.max(1, joinDeadline - System.nanoTime());
                    if (!t.join(Duration.ofNanos(left))) {
                        joined = false;
                        break;
                    }
                    exiting.remove(t);
                }
                threadsEnded = timerEnded && counted && joined;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            terminated = live.isEmpty() && threadsEnded;
            return drained && terminated;
        }
    }

    /** Whether a shutdown has completed with no actor and no thread left. */
    public boolean isTerminated() {
        return terminated;
    }

    /** {@link #shutdown(Duration)} with a 10 s drain timeout. */
    @Override
    public void close() {
        shutdown(Duration.ofSeconds(10));
    }

    private static boolean awaitUntil(java.util.function.BooleanSupplier done, long deadlineNanos) {
        long sleepNanos = 50_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadlineNanos >= 0) {
                return done.getAsBoolean();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(sleepNanos);
            sleepNanos = Math.min(sleepNanos * 2, 5_000_000);
            if (Thread.currentThread().isInterrupted()) {
                return done.getAsBoolean();
            }
        }
        return true;
    }
}
