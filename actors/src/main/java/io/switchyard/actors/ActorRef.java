package io.switchyard.actors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A typed handle to an actor. Thread-safe; cheap to pass around. Messages from one sender
 * thread are received in the order that thread sent them.
 *
 * @param <M> the message type the actor accepts
 */
public interface ActorRef<M> {

    /**
     * Enqueues a message and activates the actor if it was idle. Allocation-free: one queue offer
     * and, when the actor was idle, one activation. Returns false when the message was not
     * accepted: the actor has stopped (a dead letter), or its bounded mailbox was full (dropped
     * or refused, according to its {@link Overflow}); each case is counted. A null message is
     * a programming error ({@link NullPointerException}).
     */
    boolean tell(M message);

    /**
     * Enqueues many messages with at most one activation; stops at the first one not accepted.
     * Returns the number accepted (a prefix of the list).
     */
    int tellAll(List<? extends M> messages);

    /**
     * Request-reply: builds the request around a one-shot reply reference and sends it. The
     * future completes with the first reply, with a {@link java.util.concurrent.TimeoutException}
     * after {@code timeout}, or with an {@link ActorTerminatedException} if the actor is stopped
     * (or stops before replying, or the request is not accepted).
     */
    <R> CompletableFuture<R> ask(Function<ActorRef<R>, ? extends M> request, Duration timeout);

    /** Asks the actor to stop after its current message; queued messages become dead letters. */
    void stop();

    /** Whether the actor has terminated. */
    boolean isTerminated();

    /** The name given at spawn. */
    String name();

    /**
     * Messages waiting in the mailbox now: an estimate under concurrent offers and polls (exact
     * when quiescent), for gauges and diagnostics. 0 for refs without a mailbox.
     */
    default int mailboxSize() {
        return 0;
    }
}
