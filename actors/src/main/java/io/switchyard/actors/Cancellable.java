package io.switchyard.actors;

/** A scheduled timer. */
public interface Cancellable {
    /** Cancels the timer; returns true if this call cancelled it (false if already fired once-only or cancelled). */
    boolean cancel();

    /** Whether {@link #cancel()} has succeeded. */
    boolean isCancelled();
}
