package io.switchyard.io;

import io.switchyard.io.linux.Errno;

/**
 * Why the kernel refused one datagram, by errno class. A transport that meets a per-datagram
 * error skips that datagram (the rest of its batch still goes) and records the refusal in the
 * {@link SendBatch} ({@link SendBatch#refusal(int)}), so the caller can count every datagram that
 * did not leave under a reason instead of taking it for sent.
 */
public enum SendRefusal {
    /** EMSGSIZE: larger than the path allows and not fragmentable here (or above 65,507 bytes). */
    TOO_BIG("datagram too big for the path (EMSGSIZE)"),
    /** ENETUNREACH, EHOSTUNREACH, ENETDOWN, EADDRNOTAVAIL, ECONNREFUSED: no way to the destination. */
    UNREACHABLE("destination unreachable (no route, network down, refused)"),
    /** EPERM, EACCES: a firewall rule (or a broadcast destination) refused it. */
    DENIED("send denied by the local firewall (EPERM/EACCES)");

    private final String label;

    SendRefusal(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The class of a per-datagram errno ({@link Errno#isPerDatagram}); anything else is unreachable. */
    static SendRefusal of(int errno) {
        return switch (errno) {
            case Errno.EMSGSIZE -> TOO_BIG;
            case Errno.EPERM, Errno.EACCES -> DENIED;
            default -> UNREACHABLE;
        };
    }
}
