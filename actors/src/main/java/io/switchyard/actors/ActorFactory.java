package io.switchyard.actors;

/**
 * Creates actor instances. Called in the actor's first activation and again on each restart,
 * with the context of the actor being created (its self reference, timers, children).
 *
 * @param <M> the message type of the actor
 */
@FunctionalInterface
public interface ActorFactory<M> {
    Actor<M> create(ActorContext<M> context) throws Exception;
}
