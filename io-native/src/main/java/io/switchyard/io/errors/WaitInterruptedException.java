package io.switchyard.io.errors;

/**
 * A thread waiting for a socket to become ready was interrupted. The interrupt is taken (the
 * status is cleared, as by {@link InterruptedException}), so the next wait parks again: a loop
 * that treats this as "stop waiting" ends, and one that ignores it does not spin.
 */
public final class WaitInterruptedException extends TransportException {
    private static final long serialVersionUID = 1L;

    public WaitInterruptedException(String call) {
        super(call + ": interrupted while waiting", call, "interrupted");
    }
}
