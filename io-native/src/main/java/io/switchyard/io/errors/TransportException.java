package io.switchyard.io.errors;

import java.io.IOException;

/**
 * A datagram transport call failed. The message names the call and the error
 * ({@code "sendmsg: EINVAL (22)"}); {@link #call()} and {@link #error()} give them separately so a
 * caller can count by reason without parsing. "Nothing available now" is never an exception.
 */
public class TransportException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String call;
    private final String error;

    public TransportException(String message, String call, String error) {
        super(message);
        this.call = call;
        this.error = error;
    }

    public TransportException(String message, String call, String error, Throwable cause) {
        super(message, cause);
        this.call = call;
        this.error = error;
    }

    /** The call that failed ("recvmmsg", "bind", ...). */
    public String call() {
        return call;
    }

    /** The error's symbolic name ("EINVAL", "ECONNREFUSED", "closed", ...). */
    public String error() {
        return error;
    }
}
