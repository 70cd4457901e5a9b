package io.switchyard.actors;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * How an actor's failures are handled: a decider maps the exception to a {@link Directive}, and
 * a restart budget bounds restarts to {@code maxRestarts} within a sliding {@code window}
 * (measured on the system's {@link NanoClock}). A restart beyond the budget stops the actor
 * instead. The strategy is chosen by whoever spawns the actor (its parent), in its {@link Props}.
 */
public final class SupervisorStrategy {

    /** What to do with a failed actor. */
    public enum Directive {
        /** Keep the instance and its state; continue with the next message. */
        RESUME,
        /** Replace the instance with a fresh one from the factory (within the budget). */
        RESTART,
        /** Stop the actor. */
        STOP,
        /** Stop the actor and fail its parent with the same cause (top-level: just stop). */
        ESCALATE
    }

    private final Function<Throwable, Directive> decider;
    private final int maxRestarts;
    private final long windowNanos;

    private SupervisorStrategy(Function<Throwable, Directive> decider, int maxRestarts, Duration window) {
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("maxRestarts < 0: " + maxRestarts);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.decider = Objects.requireNonNull(decider, "decider");
        this.maxRestarts = maxRestarts;
        this.windowNanos = window.toNanos();
    }

    /** Restart on every failure, at most {@code maxRestarts} times per {@code window}; then stop. */
    public static SupervisorStrategy restart(int maxRestarts, Duration window) {
        return new SupervisorStrategy(t -> Directive.RESTART, maxRestarts, window);
    }

    /** Keep going after every failure. */
    public static SupervisorStrategy resume() {
        return RESUME; // immutable: one for every actor that asks (a hub spawns one per peer)
    }

    private static final SupervisorStrategy RESUME = new SupervisorStrategy(t -> Directive.RESUME, 0, Duration.ofSeconds(1));

    /** Stop on the first failure. */
    public static SupervisorStrategy stop() {
        return new SupervisorStrategy(t -> Directive.STOP, 0, Duration.ofSeconds(1));
    }

    /** Escalate every failure to the parent. */
    public static SupervisorStrategy escalate() {
        return new SupervisorStrategy(t -> Directive.ESCALATE, 0, Duration.ofSeconds(1));
    }

    /** A custom decider with a restart budget. */
    public static SupervisorStrategy of(Function<Throwable, Directive> decider, int maxRestarts, Duration window) {
        return new SupervisorStrategy(decider, maxRestarts, window);
    }

    /** The default: restart up to 10 times per minute, then stop. */
    public static SupervisorStrategy defaultStrategy() {
        return DEFAULT;
    }

    private static final SupervisorStrategy DEFAULT = restart(10, Duration.ofMinutes(1));

    /** The decision for one failure; a decider that throws or returns null means STOP. */
    Directive decide(Throwable failure) {
        try {
            Directive d = decider.apply(failure);
            return d == null ? Directive.STOP : d;
        } catch (RuntimeException e) {
            return Directive.STOP;
        }
    }

    int maxRestarts() {
        return maxRestarts;
    }

    long windowNanos() {
        return windowNanos;
    }
}
