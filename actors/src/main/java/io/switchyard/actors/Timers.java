package io.switchyard.actors;

import java.time.Duration;

/**
 * The shared timer facility of an {@link ActorSystem}: scheduled and periodic messages, all
 * served by one hashed timer wheel (one platform thread, or none on a {@link ManualClock}).
 * Resolution is the system's tick (1 ms by default): a timer fires on the first tick at or
 * after its deadline, never before it.
 */
public interface Timers {

    /** Tells {@code message} to {@code target} once, after {@code delay}. */
    <M> Cancellable scheduleOnce(ActorRef<? super M> target, M message, Duration delay);

    /**
     * Tells {@code message} to {@code target} first after {@code initialDelay}, then every
     * {@code period} at a fixed rate (deadlines do not drift; a late wheel catches up one firing
     * per tick). Stops by itself once the target has terminated.
     */
    <M> Cancellable scheduleAtFixedRate(ActorRef<? super M> target, M message, Duration initialDelay, Duration period);

    /** Number of timers scheduled and not yet fired (once-only) or cancelled. */
    int pending();
}
