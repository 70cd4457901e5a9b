package io.switchyard.actors;

import java.util.Objects;

/**
 * How to build and run an actor: its factory, mailbox, activation budget, supervision and thread.
 * Immutable; the {@code with*} methods return modified copies, so one Props may be shared by
 * many actors (it is not copied per actor).
 *
 * <p>Defaults: a bounded mailbox of 1,024 messages dropping the newest on overflow, 64 messages
 * per activation, {@link SupervisorStrategy#defaultStrategy()}, virtual-thread activation.
 *
 * @param <M> the message type of the actor
 */
public final class Props<M> {
    /** Default bounded mailbox capacity. */
    public static final int DEFAULT_CAPACITY = 1024;
    /** Default number of messages handled per activation before yielding. */
    public static final int DEFAULT_THROUGHPUT = 64;

    final ActorFactory<M> factory;
    final int capacity; // 0 = unbounded
    final Overflow overflow;
    final int throughput;
    final SupervisorStrategy supervisor;
    final boolean dedicatedThread;
    final boolean padded;

    private Props(ActorFactory<M> factory, int capacity, Overflow overflow, int throughput,
                  SupervisorStrategy supervisor, boolean dedicatedThread) {
        this(factory, capacity, overflow, throughput, supervisor, dedicatedThread, false);
    }

    private Props(ActorFactory<M> factory, int capacity, Overflow overflow, int throughput,
                  SupervisorStrategy supervisor, boolean dedicatedThread, boolean padded) {
        this.padded = padded;
        this.factory = factory;
        this.capacity = capacity;
        this.overflow = overflow;
        this.throughput = throughput;
        this.supervisor = supervisor;
        this.dedicatedThread = dedicatedThread;
    }

    /** Props with the defaults for the given factory. */
    public static <M> Props<M> of(ActorFactory<M> factory) {
        return new Props<>(Objects.requireNonNull(factory, "factory"), DEFAULT_CAPACITY, Overflow.DROP_NEWEST,
                DEFAULT_THROUGHPUT, SupervisorStrategy.defaultStrategy(), false);
    }

    /**
     * A bounded data mailbox. The capacity is rounded up to a power of two (at least 4); the
     * mailbox memory grows in chunks up to it, so a large bound costs nothing while idle.
     */
    public Props<M> withBoundedMailbox(int capacity, Overflow overflow) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity out of range: " + capacity);
        }
        return new Props<>(factory, capacity, Objects.requireNonNull(overflow), throughput, supervisor, dedicatedThread, padded);
    }

    /** An unbounded data mailbox (for control-style actors whose producers are trusted). */
    public Props<M> withUnboundedMailbox() {
        return new Props<>(factory, 0, overflow, throughput, supervisor, dedicatedThread, padded);
    }

    /** Messages handled per activation before the actor yields its thread to others. */
    public Props<M> withThroughput(int messagesPerActivation) {
        if (messagesPerActivation < 1) {
            throw new IllegalArgumentException("throughput < 1: " + messagesPerActivation);
        }
        return new Props<>(factory, capacity, overflow, messagesPerActivation, supervisor, dedicatedThread, padded);
    }

    /** The supervision of this actor's own failures. */
    public Props<M> withSupervisor(SupervisorStrategy strategy) {
        return new Props<>(factory, capacity, overflow, throughput, Objects.requireNonNull(strategy), dedicatedThread, padded);
    }

    /**
     * Runs the actor on its own platform thread (parked while the mailbox is empty) instead of
     * virtual-thread activations: for I/O loops that may block in native calls, which would pin
     * a virtual thread's carrier.
     */
    public Props<M> withDedicatedThread(boolean dedicated) {
        return new Props<>(factory, capacity, overflow, throughput, supervisor, dedicated, padded);
    }

    /**
     * Uses JCTools' cache-line padded mailbox instead of the unpadded one: producer and consumer
     * indexes on separate cache lines, for a hot many-producer actor (see docs/perf-actors.md
     * for the measured difference). Costs a few hundred bytes more per actor.
     */
    public Props<M> withPaddedMailbox(boolean padded) {
        return new Props<>(factory, capacity, overflow, throughput, supervisor, dedicatedThread, padded);
    }

    /** The bounded capacity as configured (before rounding), or 0 when unbounded. */
    public int capacity() {
        return capacity;
    }

    public Overflow overflow() {
        return overflow;
    }

    public int throughput() {
        return throughput;
    }

    public boolean dedicatedThread() {
        return dedicatedThread;
    }
}
