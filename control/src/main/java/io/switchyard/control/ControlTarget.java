package io.switchyard.control;

import io.switchyard.config.Config;

/**
 * What the control plane controls: a running hub seen through the few operations the control
 * socket, the metrics endpoint and the CLI need. {@link HubControl} adapts the real hub;
 * tests use an in-memory one.
 *
 * <p>Implementations must be safe for concurrent calls; the {@link ControlServer} serializes its
 * own read-modify-{@link #apply} sequences so that two {@code wg set} calls never lose an update.
 */
public interface ControlTarget {

    /** The running configuration. */
    Config config();

    /**
     * Replaces the running configuration atomically (peers matched by public key; unchanged
     * peers keep their sessions, counters and endpoints).
     *
     * @throws IllegalArgumentException if the hub refuses the configuration; it then keeps the
     *     old one
     */
    void apply(Config next);

    /** The counters now. */
    ControlSnapshot snapshot();

    /** The UDP port actually bound; by default read from a {@link #snapshot()}. */
    default int listenPort() {
        return snapshot().listenPort();
    }

    /**
     * Re-reads the configuration file the hub was started from and applies it, as SIGHUP does.
     *
     * @return a one-line summary of what changed
     * @throws UapiException with {@link UapiException#EOPNOTSUPP} if the hub has no file, or
     *     {@link UapiException#EINVAL} naming every problem if the file does not parse or is
     *     refused; the running configuration is then untouched
     */
    default String reload() throws UapiException {
        throw new UapiException(UapiException.EOPNOTSUPP, "this hub was not started from a configuration file");
    }
}
