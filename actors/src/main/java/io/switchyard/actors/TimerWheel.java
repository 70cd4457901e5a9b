package io.switchyard.actors;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jctools.queues.atomic.unpadded.MpscUnboundedAtomicUnpaddedArrayQueue;

/**
 * A hashed timer wheel (Varghese and Lauck): {@code 2^k} buckets, each a doubly linked list of
 * timers; a timer with deadline tick {@code d} lives in bucket {@code d & mask} and fires when
 * the wheel's cursor reaches that bucket on a tick {@code >= d} (timers for later rounds stay
 * in the bucket and are skipped). Schedule is O(1) and lock-free: new timers go through an MPSC
 * queue that the expiring thread moves into the buckets. Cancel is a CAS on the timer's state;
 * the entry is unlinked lazily when its bucket is next visited.
 *
 * <p>Expiry runs on one thread at a time (a lock, uncontended in practice): the system's timer
 * thread, which sleeps one tick between passes and parks indefinitely while nothing is
 * scheduled, or the thread calling {@link ManualClock#advance}.
 */
final class TimerWheel implements Timers {
    private static final int WHEEL_SIZE = 512;
    private static final int MASK = WHEEL_SIZE - 1;

    private final ActorSystem system;
    private final NanoClock clock;
    private final long tickNanos;
    private final long startNanos;
    private final Entry[] buckets = new Entry[WHEEL_SIZE];
    private final MpscUnboundedAtomicUnpaddedArrayQueue<Entry> incoming = new MpscUnboundedAtomicUnpaddedArrayQueue<>(64);
    private final ReentrantLock lock = new ReentrantLock();
    private long cursor; // next tick to process; guarded by lock
    private volatile int pending;
    private volatile boolean idle;
    private volatile boolean running = true;
    private final Thread ticker;
    private final java.util.function.LongConsumer expireListener = this::expire;

    TimerWheel(ActorSystem system, NanoClock clock, Duration tick, String threadName) {
        this.system = system;
        this.clock = clock;
        this.tickNanos = Math.max(1, tick.toNanos());
        this.startNanos = clock.nanoTime();
        if (clock instanceof ManualClock manual) {
            manual.onAdvance(expireListener);
            ticker = null;
        } else {
            ticker = Thread.ofPlatform().daemon(true).name(threadName).unstarted(this::tickLoop);
            ticker.start();
        }
    }

    @Override
    public <M> Cancellable scheduleOnce(ActorRef<? super M> target, M message, Duration delay) {
        java.util.Objects.requireNonNull(target, "target");
        java.util.Objects.requireNonNull(message, "message");
        return add(new TellEntry<>(target, message, 0), delay);
    }

    @Override
    public <M> Cancellable scheduleAtFixedRate(ActorRef<? super M> target, M message, Duration initialDelay, Duration period) {
        java.util.Objects.requireNonNull(target, "target");
        java.util.Objects.requireNonNull(message, "message");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        return add(new TellEntry<>(target, message, period.toNanos()), initialDelay);
    }

    /** A runnable timer for the runtime itself (ask timeouts). */
    Cancellable scheduleTask(Runnable task, Duration delay) {
        return add(new TaskEntry(task), delay);
    }

    @Override
    public int pending() {
        return pending;
    }

    private Entry add(Entry e, Duration delay) {
        if (!running) {
            e.state = Entry.CANCELLED;
            return e;
        }
        e.deadline = clock.nanoTime() + Math.max(0, delay.toNanos());
        PENDING.getAndAdd(this, 1);
        incoming.offer(e);
        if (idle && ticker != null) {
            LockSupport.unpark(ticker);
        }
        return e;
    }

    private long tickOf(long deadlineNanos) {
        // ceil: a timer must never fire before its deadline
        long rel = deadlineNanos - startNanos;
        return rel <= 0 ? 0 : (rel + tickNanos - 1) / tickNanos;
    }

    /** Fires every timer due at {@code now}. */
    void expire(long now) {
        lock.lock();
        try {
            long target = (now - startNanos) / tickNanos;
            drainIncoming();
            while (cursor <= target) {
                processBucket(cursor);
                cursor++;
                drainIncoming(); // timers scheduled by fired callbacks or other threads meanwhile
            }
        } finally {
            lock.unlock();
        }
    }

    private void drainIncoming() {
        Entry e;
        while ((e = incoming.poll()) != null) {
            if (e.state == Entry.CANCELLED) {
                PENDING.getAndAdd(this, -1);
                continue;
            }
            insert(e);
        }
    }

    private void insert(Entry e) {
        // A deadline already past goes to the cursor's bucket: it fires on the next pass.
        long t = Math.max(tickOf(e.deadline), cursor);
        e.tick = t;
        int b = (int) (t & MASK);
        Entry head = buckets[b];
        e.prev = null;
        e.next = head;
        if (head != null) {
            head.prev = e;
        }
        buckets[b] = e;
    }

    private void unlink(Entry e, int b) {
        if (e.prev != null) {
            e.prev.next = e.next;
        } else {
            buckets[b] = e.next;
        }
        if (e.next != null) {
            e.next.prev = e.prev;
        }
        e.prev = e.next = null;
    }

    private void processBucket(long tick) {
        int b = (int) (tick & MASK);
        Entry e = buckets[b];
        while (e != null) {
            Entry next = e.next;
            if (e.state == Entry.CANCELLED) {
                unlink(e, b);
                PENDING.getAndAdd(this, -1);
            } else if (e.tick <= tick) {
                unlink(e, b);
                boolean again = e.period > 0;
                if (!again && !Entry.STATE.compareAndSet(e, Entry.WAITING, Entry.FIRED)) {
                    PENDING.getAndAdd(this, -1); // cancelled concurrently
                    e = next;
                    continue;
                }
                system.count(ActorCounter.TIMERS_FIRED);
                boolean keep;
                try {
                    keep = e.fire();
                } catch (RuntimeException ex) {
                    keep = false; // a timer task must not kill the wheel; the entry is dropped
                }
                if (again && keep && e.state == Entry.WAITING) {
                    e.deadline += e.period;
                    long nt = Math.max(tickOf(e.deadline), tick + 1);
                    e.tick = nt;
                    int nb = (int) (nt & MASK);
                    e.prev = null;
                    e.next = buckets[nb];
                    if (e.next != null) {
                        e.next.prev = e;
                    }
                    // Re-inserted at a bucket head: if that is the bucket being walked, the
                    // walk already holds `next`, so the entry is not visited twice this pass.
                    buckets[nb] = e;
                } else {
                    if (again) {
                        Entry.STATE.compareAndSet(e, Entry.WAITING, Entry.CANCELLED);
                    }
                    PENDING.getAndAdd(this, -1);
                }
            }
            e = next;
        }
    }

    private void tickLoop() {
        while (running) {
            expire(clock.nanoTime());
            if (pending == 0) {
                idle = true;
                if (pending == 0 && running) {
                    LockSupport.park(this);
                }
                idle = false;
            } else {
                LockSupport.parkNanos(this, tickNanos);
            }
        }
    }

    /** Stops the timer thread and drops all timers; returns whether the thread ended in time. */
    boolean shutdown(Duration wait) throws InterruptedException {
        running = false;
        if (ticker == null) {
            if (clock instanceof ManualClock manual) {
                manual.removeListener(expireListener);
            }
            return true;
        }
        LockSupport.unpark(ticker);
        return ticker.join(wait);
    }

    abstract static class Entry implements Cancellable {
        static final int WAITING = 0, FIRED = 1, CANCELLED = 2;
        static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Entry.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int state;
        long deadline;
        long period;
        long tick;
        Entry prev, next;

        /** Runs the timer; returns false if a periodic timer should end. */
        abstract boolean fire();

        @Override
        public boolean cancel() {
            return STATE.compareAndSet(this, WAITING, CANCELLED);
        }

        @Override
        public boolean isCancelled() {
            return state == CANCELLED;
        }
    }

    private static final class TellEntry<M> extends Entry {
        private final ActorRef<? super M> target;
        private final M message;

        TellEntry(ActorRef<? super M> target, M message, long period) {
            this.target = target;
            this.message = message;
            this.period = period;
        }

        @Override
        boolean fire() {
            target.tell(message);
            return !target.isTerminated();
        }
    }

    private static final class TaskEntry extends Entry {
        private final Runnable task;

        TaskEntry(Runnable task) {
            this.task = task;
        }

        @Override
        boolean fire() {
            task.run();
            return false;
        }
    }

    private static final VarHandle PENDING;

    static {
        try {
            PENDING = MethodHandles.lookup().findVarHandle(TimerWheel.class, "pending", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
