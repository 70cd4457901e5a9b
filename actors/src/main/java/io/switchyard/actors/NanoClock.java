package io.switchyard.actors;

/**
 * The time source of an {@link ActorSystem}'s timers and restart budgets. Monotonic nanoseconds,
 * like {@link System#nanoTime()}. Tests inject a {@link ManualClock}.
 */
@FunctionalInterface
public interface NanoClock {
    long nanoTime();

    /** The real monotonic clock. */
    NanoClock SYSTEM = System::nanoTime;
}
