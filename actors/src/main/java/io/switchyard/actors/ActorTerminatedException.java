package io.switchyard.actors;

/** An ask whose target stopped (or was already stopped, or refused the request). */
public final class ActorTerminatedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ActorTerminatedException(String message) {
        super(message, null, false, false);
    }
}
