package io.switchyard.control;

/**
 * A control-protocol request that was refused. The only exception the UAPI parser raises for
 * bad input. The reply to the client is {@code errno=-N} where N is {@link #errno()}, a positive
 * Linux errno, exactly as wireguard-go answers (so {@code wg} prints the matching
 * {@code strerror}); {@link #getMessage()} says what was wrong and is only logged or shown by
 * Switchyard's own tools.
 */
public final class UapiException extends Exception {
    /** I/O failure while reading or writing the request. */
    public static final int EIO = 5;
    /** A value the protocol does not accept (bad key, number, address, flag value). */
    public static final int EINVAL = 22;
    /** The request is larger than the server reads. */
    public static final int EMSGSIZE = 90;
    /** A line without {@code '='}. */
    public static final int EPROTO = 71;
    /** The operation is not available on this hub (e.g. reload without a config file). */
    public static final int EOPNOTSUPP = 95;
    /** The listen port could not be taken. */
    public static final int EADDRINUSE = 98;

    private final int errno;

    public UapiException(int errno, String message) {
        super(message);
        if (errno <= 0) {
            throw new IllegalArgumentException("errno must be positive, got " + errno);
        }
        this.errno = errno;
    }

    public UapiException(int errno, String message, Throwable cause) {
        this(errno, message);
        initCause(cause);
    }

    /** The positive Linux errno; the wire carries its negation. */
    public int errno() {
        return errno;
    }

    static UapiException invalid(String message) {
        return new UapiException(EINVAL, message);
    }
}
