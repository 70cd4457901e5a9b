package io.switchyard.actors;

/**
 * The behaviour of one actor: a handler for messages of type {@code M} plus lifecycle hooks.
 *
 * <p>The runtime calls every method of one actor instance from one activation at a time, so an
 * actor's fields need no synchronization: each call happens-after the previous one, even when
 * consecutive activations run on different threads.
 *
 * <p>Lifecycle: {@link #preStart()} runs in the first activation, before any message. A failure
 * (an exception thrown by any hook or by {@link #receive}) goes to the actor's
 * {@link SupervisorStrategy}: resume keeps this instance, restart calls {@link #preRestart} on it
 * and replaces it with a fresh instance from the {@link Props} factory (whose {@code preStart}
 * then runs), stop ends the actor, and {@link #postStop()} runs once on the final instance.
 *
 * @param <M> the message type this actor accepts
 */
public interface Actor<M> {

    /** Handles one message. Runs on the actor's activation thread; never concurrently. */
    void receive(M message) throws Exception;

    /**
     * The drain hook. Called when an activation has processed at least one message since the
     * last drain hook call and then found both of the actor's queues empty, right before the
     * actor goes idle; it is not called when an activation ends because it used up its
     * per-activation budget with messages still queued (the next activation carries the count
     * over). Messages that arrive while the hook runs are processed in the same activation, and
     * are followed by another call. This is the place to flush output batched during the
     * activation.
     *
     * <p>On a requested stop ({@link ActorRef#stop()}, {@link ActorContext#stop()}, a parent
     * stopping, shutdown) the hook is also called, right before {@link #postStop()}, if a
     * message was processed since the last call; so every processed message is followed by
     * exactly one drain hook call before the actor next goes idle or stops. The exceptions are
     * failures: when supervision stops (or escalates) after a failure, the failed instance gets
     * {@code postStop} without a drain hook; and after a restart the count carries over, so the
     * fresh instance's first drain hook also covers messages its predecessor processed.
     */
    default void onDrain() throws Exception {}

    /** Called once before the first message, and on each fresh instance after a restart. */
    default void preStart() throws Exception {}

    /** Called on the failing instance before it is replaced by a restart. */
    default void preRestart(Throwable cause) throws Exception {}

    /** Called once on the final instance when the actor stops; after it no hook runs again. */
    default void postStop() throws Exception {}
}
