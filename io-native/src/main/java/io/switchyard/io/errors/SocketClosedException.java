package io.switchyard.io.errors;

/** The socket was closed, possibly by another thread while this one waited on it. */
public final class SocketClosedException extends TransportException {
    private static final long serialVersionUID = 1L;

    public SocketClosedException(String call) {
        super(call + ": socket is closed", call, "closed");
    }
}
