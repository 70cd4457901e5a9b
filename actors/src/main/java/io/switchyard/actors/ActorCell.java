package io.switchyard.actors;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscChunkedAtomicArrayQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscChunkedAtomicUnpaddedArrayQueue;
import org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue;

/**
 * One actor: its mailboxes, its activation state and its place in the supervision tree. It is
 * its own {@link ActorRef} and {@link ActorContext}, so an idle actor costs this object, its
 * behaviour object and its (chunked, initially small) mailbox, and no thread.
 *
 * <h2>Activation protocol</h2>
 * A state word is {@code IDLE} or {@code SCHEDULED}. A producer first offers its message to the
 * MPSC mailbox, then, if the state reads {@code IDLE}, CASes it to {@code SCHEDULED}; the one
 * producer whose CAS wins dispatches one activation (starts a virtual thread, or unparks the
 * actor's dedicated thread). So at most one activation exists at a time, and the actor's code
 * never runs concurrently with itself; consecutive activations are ordered through the
 * volatile state word, which makes the actor's plain fields safe.
 *
 * <p>The activation handles control signals first, then up to {@code throughput} messages. If
 * work is left after that budget, it yields (see {@link #yieldSlice}) and keeps the state
 * {@code SCHEDULED}. When it finds the queues empty it
 * runs the drain hook (if any message was handled since the last one), then writes
 * {@code IDLE} and <em>re-checks</em> the queues: a producer that offered just before that
 * write may have read {@code SCHEDULED} and not dispatched, so if the queues are not empty the
 * activation CASes the state back to {@code SCHEDULED} and continues (if that CAS fails, a
 * producer has already dispatched a new activation, which takes over). The offer/read-state
 * and write-state/read-queue pairs are both sequentially consistent (volatile), so at least
 * one side sees the other: no wake-up is lost.
 *
 * <p>A terminated actor still takes activations: they move whatever was offered after its
 * termination to dead letters, so every message is either handled or counted.
 *
 * <p>Why one file of about 700 lines: the activation protocol above is a handful of atomic states
 * that every method of the cell reads or moves (tell, activation, drain hook, stop, supervision);
 * split across classes its invariants could no longer be checked in one reading.
 */
final class ActorCell<M> implements ActorRef<M>, ActorContext<M>, Runnable {
    private static final System.Logger LOG = System.getLogger("io.switchyard.actors");
    /** Failures of one actor logged with their stack trace; later ones only counted (a loop must not flood the log). */
    private static final int LOGGED_FAILURES = 3;
    private static final int IDLE = 0;
    private static final int SCHEDULED = 1;
    private static final VarHandle STATE;
    private static final VarHandle CONTROL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(ActorCell.class, "state", int.class);
            CONTROL = l.findVarHandle(ActorCell.class, "control", MessagePassingQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A message delivered on the control queue (watch notices). */
    private record Deliver(Object message) {}

    /** A child's failure escalated to this actor. */
    private record Failed(ActorCell<?> child, Throwable cause) {}

    final ActorSystem system;
    final Props<M> props;
    final ActorCell<?> parent;
    private final String name;
    private int loggedFailures;
    private final MessagePassingQueue<M> mailbox;

    private volatile int state;
    /** Signals; created on first use (most actors never get one). */
    private volatile MessagePassingQueue<Object> control;
    private volatile boolean terminated;
    private volatile boolean stopRequested;
    private volatile boolean drainStop;
    private volatile Thread dedicated;

    // Confined to activations (ordered by the state word).
    private Actor<M> actor;
    private boolean started;
    private int sinceDrain;
    private long[] restartStamps;
    private int restartCount;

    // Guarded by this; created on first use.
    private Set<ActorCell<?>> children;
    private Map<ActorCell<?>, Object> watchers;
    private Set<PromiseRef<?>> asks;

    ActorCell(ActorSystem system, Props<M> props, ActorCell<?> parent, String name) {
        this.system = system;
        this.props = props;
        this.parent = parent;
        this.name = name;
        if (props.capacity == 0) {
            this.mailbox = props.padded ? new MpscUnboundedAtomicArrayQueue<>(16) : new MpscUnboundedAtomicUnpaddedArrayQueue<>(16);
        } else {
            // Chunked: memory grows with use up to the bound, so a big bound costs an idle actor little.
            int max = Math.max(4, props.capacity);
            int initial = Math.min(8, Integer.highestOneBit(max - 1));
            this.mailbox = props.padded ? new MpscChunkedAtomicArrayQueue<>(initial, max)
                    : new MpscChunkedAtomicUnpaddedArrayQueue<>(initial, max);
        }
    }

    /** Starts the actor: the first activation creates the behaviour and runs preStart. */
    void start() {
        state = SCHEDULED;
        if (props.dedicatedThread) {
            Thread t = Thread.ofPlatform().name(system.name() + "-" + name).daemon(true).unstarted(this::dedicatedLoop);
            dedicated = t;
            system.dedicatedStarted(t);
            t.start();
        } else {
            system.startActivation(this);
        }
    }

    // ---------------------------------------------------------------- producer side

    @Override
    public boolean tell(M message) {
        Objects.requireNonNull(message, "message");
        if (terminated) {
            system.count(ActorCounter.DEAD_LETTERS);
            return false;
        }
        if (!mailbox.offer(message)) {
            overflowed(1);
            return false;
        }
        wake();
        return true;
    }

    @Override
    public int tellAll(List<? extends M> messages) {
        int n = messages.size();
        if (terminated) {
            system.count(ActorCounter.DEAD_LETTERS, n);
            return 0;
        }
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            M m = Objects.requireNonNull(messages.get(i), "message");
            if (mailbox.offer(m)) {
                accepted++;
            } else if (props.overflow == Overflow.REFUSE) {
                // Stop here so the caller can retry the rest in order.
                system.count(ActorCounter.MAILBOX_REFUSED, n - i);
                break;
            } else {
                system.count(ActorCounter.MAILBOX_OVERFLOW_DROPS);
            }
        }
        if (accepted > 0) {
            wake();
        }
        return accepted;
    }

    /** Offer without activation, for {@link Fanout}; the caller must {@link #wake()} after. */
    boolean offerQuiet(M message) {
        Objects.requireNonNull(message, "message");
        if (terminated) {
            system.count(ActorCounter.DEAD_LETTERS);
            return false;
        }
        if (!mailbox.offer(message)) {
            overflowed(1);
            return false;
        }
        return true;
    }

    private void overflowed(int n) {
        system.count(props.overflow == Overflow.REFUSE ? ActorCounter.MAILBOX_REFUSED : ActorCounter.MAILBOX_OVERFLOW_DROPS, n);
    }

    /** {@link #wake()} only if something is queued (a batch may already have been consumed). */
    void wakeIfQueued() {
        if (hasQueued()) {
            wake();
        }
    }

    /** Dispatches an activation unless one is scheduled or running. */
    void wake() {
        if (state == IDLE && STATE.compareAndSet(this, IDLE, SCHEDULED)) {
            dispatch();
        }
    }

    private void dispatch() {
        Thread t = dedicated;
        if (t != null) {
            system.count(ActorCounter.ACTIVATIONS);
            LockSupport.unpark(t);
        } else {
            system.startActivation(this);
        }
    }

    private void signal(Object s) {
        MessagePassingQueue<Object> q = control;
        if (q == null) {
            q = new MpscUnboundedAtomicUnpaddedArrayQueue<>(8);
            if (!CONTROL.compareAndSet(this, null, q)) {
                q = control;
            }
        }
        q.offer(s);
        wake();
    }

    @Override
    public void stop() {
        stopRequested = true;
        wake();
    }

    /** Stop once the mailbox is empty (graceful shutdown). */
    void requestDrainStop() {
        drainStop = true;
        wake();
    }

    @Override
    public boolean isTerminated() {
        return terminated;
    }

    @Override
    public int mailboxSize() {
        return mailbox.size();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "ActorRef[" + name + (terminated ? ", terminated]" : "]");
    }

    @Override
    public <R> CompletableFuture<R> ask(Function<ActorRef<R>, ? extends M> request, Duration timeout) {
        PromiseRef<R> p = new PromiseRef<>(system, name);
        boolean registered = false;
        synchronized (this) {
            if (!terminated) {
                if (asks == null) {
                    asks = new HashSet<>();
                }
                asks.add(p);
                registered = true;
            }
        }
        if (!registered) {
            p.fail(new ActorTerminatedException(name + " is terminated"));
            return p.future();
        }
        Cancellable timer = system.wheel().scheduleTask(p::timeOut, timeout);
        p.future().whenComplete((r, e) -> {
            timer.cancel();
            synchronized (this) {
                if (asks != null) {
                    asks.remove(p);
                }
            }
        });
        M message;
        try {
            message = request.apply(p);
        } catch (RuntimeException e) {
            p.fail(e);
            return p.future();
        }
        if (!tell(message)) {
            p.fail(terminated ? new ActorTerminatedException(name + " is terminated")
                    : new RejectedExecutionException(name + ": mailbox full"));
        }
        return p.future();
    }

    // ---------------------------------------------------------------- context

    @Override
    public ActorRef<M> self() {
        return this;
    }

    @Override
    public ActorRef<?> parent() {
        return parent;
    }

    @Override
    public ActorSystem system() {
        return system;
    }

    @Override
    public <C> ActorRef<C> spawn(Props<C> childProps, String childName) {
        return system.spawn(childProps, childName, this);
    }

    /** Registers a child; false if this actor has terminated (the child must then stop). */
    synchronized boolean addChild(ActorCell<?> child) {
        if (terminated) {
            return false;
        }
        if (children == null) {
            children = new HashSet<>();
        }
        children.add(child);
        return true;
    }

    private synchronized void childTerminated(ActorCell<?> child) {
        if (children != null) {
            children.remove(child);
        }
    }

    @Override
    public void watch(ActorRef<?> other, M notice) {
        Objects.requireNonNull(notice, "notice");
        if (!(other instanceof ActorCell<?> target)) {
            throw new IllegalArgumentException("can only watch actors of this runtime: " + other);
        }
        boolean dead;
        synchronized (target) {
            dead = target.terminated;
            if (!dead) {
                if (target.watchers == null) {
                    target.watchers = new IdentityHashMap<>(2);
                }
                target.watchers.put(this, notice);
            }
        }
        if (dead) {
            signal(new Deliver(notice));
        }
    }

    @Override
    public boolean unwatch(ActorRef<?> other) {
        if (!(other instanceof ActorCell<?> target)) {
            return false;
        }
        synchronized (target) {
            return target.watchers != null && target.watchers.remove(this) != null;
        }
    }

    // ---------------------------------------------------------------- consumer side

    @Override
    public void run() {
        try {
            activate();
        } finally {
            system.activationEnded();
            system.threadExiting();
        }
    }

    private void dedicatedLoop() {
        try {
            for (;;) {
                if (state == SCHEDULED) {
                    activate();
                }
                if (terminated) {
                    break;
                }
                LockSupport.park(this);
            }
            // A producer that read `dedicated` before this write unparks nobody, but its
            // CAS to SCHEDULED came first, so the read below sees it; later producers start
            // a virtual activation instead.
            dedicated = null;
            if (state == SCHEDULED) {
                activate();
            }
        } finally {
            system.dedicatedEnded(Thread.currentThread());
            system.threadExiting();
        }
    }

    private boolean hasQueued() {
        if (!mailbox.isEmpty()) {
            return true;
        }
        MessagePassingQueue<Object> c = control;
        return c != null && !c.isEmpty();
    }

    private boolean hasWork() {
        return hasQueued() || (!terminated && (stopRequested || drainStop));
    }

    /** How long an activation may keep its carrier by plain yields before it must park. */
    static final long FAIR_SLICE_NANOS = 1_000_000;

    /**
     * Yields at a budget boundary; returns the new slice start. A plain {@code Thread.yield()}
     * lets actors queued on this carrier run (cheap), but measured on JDK 25 a carrier whose
     * local queue keeps getting work never polls the external submission queue, so an actor
     * woken from a platform thread (an I/O loop) would starve behind busy actors. So once per
     * {@link #FAIR_SLICE_NANOS} of continuous work the activation parks for 1 ns instead: that
     * unmounts it and resubmits it through the JDK's unparker, costing tens of microseconds,
     * during which the carrier reaches the other queues. The state stays SCHEDULED throughout.
     */
    private static long yieldSlice(long sliceStart) {
        long now = System.nanoTime();
        if (sliceStart == 0) {
            Thread.yield();
            return now;
        }
        if (now - sliceStart >= FAIR_SLICE_NANOS) {
            LockSupport.parkNanos(1);
            return System.nanoTime();
        }
        Thread.yield();
        return sliceStart;
    }

    private void activate() {
        final int budget = props.throughput;
        long sliceStart = 0;
        for (;;) {
            if (terminated) {
                discardQueued();
            } else {
                if (!started) {
                    started = true;
                    failed(createBehaviour());
                }
                int n = 0;
                for (;;) {
                    if (terminated) {
                        break;
                    }
                    if (stopRequested) {
                        drainBeforeStop();
                        terminate(false);
                        break;
                    }
                    MessagePassingQueue<Object> c = control;
                    if (c != null && !c.isEmpty()) {
                        processControl(c);
                        continue;
                    }
                    if (n >= budget) {
                        break;
                    }
                    M m = mailbox.poll();
                    if (m == null) {
                        break;
                    }
                    n++;
                    sinceDrain++;
                    invoke(m);
                }
                if (!terminated && n >= budget && hasQueued()) {
                    system.count(ActorCounter.YIELDS);
                    if (dedicated == null) {
                        sliceStart = yieldSlice(sliceStart);
                    }
                    continue;
                }
                if (!terminated && sinceDrain > 0) {
                    sinceDrain = 0;
                    try {
                        actor.onDrain();
                    } catch (Throwable t) {
                        failed(t);
                    }
                    if (hasQueued()) {
                        continue;
                    }
                }
                if (!terminated && drainStop && !hasQueued()) {
                    terminate(true);
                }
            }
            if (hasWork()) {
                continue;
            }
            state = IDLE;
            // Re-check after publishing IDLE: closes the lost-wake-up race (see class doc).
            if (!hasWork() || !STATE.compareAndSet(this, IDLE, SCHEDULED)) {
                return;
            }
        }
    }

    /**
     * A requested stop ({@link #stop()}, a parent stopping, a forced shutdown) flushes first:
     * messages handled since the last drain hook get their drain hook before postStop, because
     * that is where actors flush what they batched (a peer actor's send train). A stop decided
     * by supervision after a failure does not come through here: the failed instance is not
     * asked to flush. A failure inside this last hook is counted and the stop goes on.
     */
    private void drainBeforeStop() {
        if (sinceDrain > 0 && actor != null) {
            sinceDrain = 0;
            try {
                actor.onDrain();
            } catch (Throwable t) {
                system.count(ActorCounter.ACTOR_FAILURES);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void processControl(MessagePassingQueue<Object> c) {
        Object s;
        while (!terminated && !stopRequested && (s = c.poll()) != null) {
            if (s instanceof Deliver d) {
                sinceDrain++;
                invoke((M) d.message());
            } else if (s instanceof Failed f) {
                failed(f.cause());
            }
        }
    }

    private void invoke(M m) {
        try {
            actor.receive(m);
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Creates a fresh behaviour and runs preStart; returns the failure, or null. */
    private Throwable createBehaviour() {
        try {
            Actor<M> a = props.factory.create(this);
            actor = Objects.requireNonNull(a, "factory returned null");
            a.preStart();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Applies supervision to a failure, looping while restarts themselves fail. */
    private void failed(Throwable failure) {
        while (failure != null && !terminated) {
            system.count(ActorCounter.ACTOR_FAILURES);
            SupervisorStrategy.Directive d = props.supervisor.decide(failure);
            if (loggedFailures < LOGGED_FAILURES) {
                loggedFailures++;
                LOG.log(System.Logger.Level.WARNING, "actor " + name + " failed (" + d
                        + (loggedFailures == LOGGED_FAILURES ? "; further failures are only counted" : "") + ")", failure);
            }
            if (d == SupervisorStrategy.Directive.RESUME && actor == null) {
                d = SupervisorStrategy.Directive.RESTART; // nothing to resume: creation failed
            }
            switch (d) {
                case RESUME -> failure = null;
                case RESTART -> {
                    if (!takeRestart()) {
                        system.count(ActorCounter.SUPERVISION_STOPS);
                        terminate(false);
                        return;
                    }
                    system.count(ActorCounter.RESTARTS);
                    Actor<M> old = actor;
                    actor = null;
                    if (old != null) {
                        try {
                            old.preRestart(failure);
                        } catch (Throwable ignored) {
                            // the old instance is discarded either way
                        }
                    }
                    failure = createBehaviour();
                }
                case STOP -> {
                    system.count(ActorCounter.SUPERVISION_STOPS);
                    terminate(false);
                    return;
                }
                case ESCALATE -> {
                    system.count(ActorCounter.ESCALATIONS);
                    terminate(false);
                    if (parent != null) {
                        parent.signal(new Failed(this, failure));
                    }
                    return;
                }
            }
        }
    }

    /** Restart budget: at most maxRestarts within the sliding window. */
    private boolean takeRestart() {
        int max = props.supervisor.maxRestarts();
        if (max == 0) {
            return false;
        }
        long now = system.clock().nanoTime();
        if (restartStamps == null) {
            restartStamps = new long[max];
        }
        int slot = restartCount % max; // when full, the oldest of the last `max` restarts
        if (restartCount >= max && now - restartStamps[slot] < props.supervisor.windowNanos()) {
            return false;
        }
        restartStamps[slot] = now;
        restartCount++;
        return true;
    }

    private void terminate(boolean graceful) {
        if (terminated) {
            return;
        }
        List<ActorCell<?>> kids;
        synchronized (this) {
            kids = children == null ? List.of() : new ArrayList<>(children);
        }
        for (ActorCell<?> k : kids) {
            if (graceful) {
                k.requestDrainStop();
            } else {
                k.stop();
            }
        }
        if (actor != null) {
            try {
                actor.postStop();
            } catch (Throwable t) {
                system.count(ActorCounter.ACTOR_FAILURES);
            }
            actor = null;
        }
        Map<ActorCell<?>, Object> ws;
        Set<PromiseRef<?>> pending;
        synchronized (this) {
            terminated = true;
            ws = watchers;
            watchers = null;
            pending = asks;
            asks = null;
        }
        discardQueued();
        if (ws != null) {
            for (Map.Entry<ActorCell<?>, Object> w : ws.entrySet()) {
                w.getKey().signal(new Deliver(w.getValue()));
            }
        }
        if (pending != null) {
            for (PromiseRef<?> p : pending) {
                p.fail(new ActorTerminatedException(name + " terminated before replying"));
            }
        }
        if (parent != null) {
            parent.childTerminated(this);
        }
        system.cellTerminated(this);
    }

    private void discardQueued() {
        int n = 0;
        while (mailbox.poll() != null) {
            n++;
        }
        MessagePassingQueue<Object> c = control;
        if (c != null) {
            Object s;
            while ((s = c.poll()) != null) {
                if (s instanceof Deliver) {
                    n++;
                }
            }
        }
        if (n > 0) {
            system.count(ActorCounter.DEAD_LETTERS, n);
        }
    }

    /** Mailbox capacity after rounding (Integer.MAX_VALUE when unbounded). */
    int mailboxCapacity() {
        int c = mailbox.capacity();
        return c < 0 ? Integer.MAX_VALUE : c;
    }

    // ActorContext.stop() and ActorRef.stop() are the same request: stop after the current message.
}
