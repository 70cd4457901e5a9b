package io.switchyard.actors;

import java.time.Duration;

/**
 * What an actor may do besides handling its message: reach itself, spawn and stop children,
 * watch other actors and schedule messages to itself. Handed to the {@link ActorFactory}; use it
 * only from the actor's own activations (spawn and timers are thread-safe, the rest is meant for
 * the actor itself).
 *
 * @param <M> the message type of the actor
 */
public interface ActorContext<M> {

    /** This actor's reference. */
    ActorRef<M> self();

    /** The parent actor, or {@code null} for an actor spawned directly on the system. */
    ActorRef<?> parent();

    /** The system this actor runs in. */
    ActorSystem system();

    /** Spawns a child; its failures escalate to this actor when its strategy says ESCALATE. */
    <C> ActorRef<C> spawn(Props<C> props, String name);

    /** Stops this actor after the current message (pending messages become dead letters). */
    void stop();

    /**
     * Delivers {@code notice} to this actor once {@code other} has terminated (at once if it
     * already has). Notices travel on the control queue: they are never dropped by overflow.
     */
    void watch(ActorRef<?> other, M notice);

    /** Cancels a {@link #watch}; returns whether a registration was removed. */
    boolean unwatch(ActorRef<?> other);

    /** Sends {@code message} to this actor after {@code delay}, on the system's shared timer. */
    default Cancellable scheduleOnce(M message, Duration delay) {
        return system().timers().scheduleOnce(self(), message, delay);
    }

    /** Sends {@code message} to this actor every {@code period}, first after {@code initialDelay}. */
    default Cancellable scheduleAtFixedRate(M message, Duration initialDelay, Duration period) {
        return system().timers().scheduleAtFixedRate(self(), message, initialDelay, period);
    }
}
