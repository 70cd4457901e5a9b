package io.switchyard.io.linux;

import io.switchyard.io.errors.TransportException;

/**
 * The errno values the module acts on, and the one mapper from a failed call to an exception.
 * Callers above io-native see {@link TransportException} naming the call and the error, never a
 * bare number.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSYS = 38;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int ECANCELED = 125;

    /** The symbolic name of an errno ("EINVAL"), or "errno N". */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENOSYS -> "ENOSYS";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL";
            case ENETDOWN -> "ENETDOWN";
            case ENETUNREACH -> "ENETUNREACH";
            case ENOBUFS -> "ENOBUFS";
            case ECONNREFUSED -> "ECONNREFUSED";
            case EHOSTUNREACH -> "EHOSTUNREACH";
            case ECANCELED -> "ECANCELED";
            default -> "errno " + errno;
        };
    }

    /**
     * Errors a datagram send can hit because of where it was going (an ICMP error reported on a
     * connected socket, no route, an oversized datagram): the datagram is dropped and counted, the
     * socket stays usable.
     */
    public static boolean isPerDatagram(int errno) {
        return errno == ECONNREFUSED || errno == ENETUNREACH || errno == EHOSTUNREACH
                || errno == EMSGSIZE || errno == EADDRNOTAVAIL || errno == ENETDOWN || errno == EPERM
                || errno == EACCES;
    }

    /** The one errno-to-exception mapper: {@code "sendmsg: EINVAL (22)"}. */
    public static TransportException exception(String call, int errno) {
        return new TransportException(call + ": " + name(errno) + " (" + errno + ")", call, name(errno));
    }
}
