package io.switchyard.actors;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * A clock that moves only when told to, for tests of timer-driven code. An {@link ActorSystem}
 * built with it starts no timer thread: {@link #advance} runs every timer that became due, on
 * the calling thread, before it returns (the resulting messages are told by then; the actors
 * handle them asynchronously as usual).
 */
public final class ManualClock implements NanoClock {
    private volatile long now;
    private final CopyOnWriteArrayList<LongConsumer> listeners = new CopyOnWriteArrayList<>();

    public ManualClock() {
        this(0L);
    }

    public ManualClock(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Moves time forward and fires what became due. */
    public synchronized void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + by);
        }
        now += by.toNanos();
        for (LongConsumer l : listeners) {
            l.accept(now);
        }
    }

    void onAdvance(LongConsumer listener) {
        listeners.add(listener);
    }

    void removeListener(LongConsumer listener) {
        listeners.remove(listener);
    }
}
