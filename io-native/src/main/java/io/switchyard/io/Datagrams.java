package io.switchyard.io;

import io.switchyard.io.errors.TransportException;

/**
 * Opens datagram sockets: the Linux native transport where {@link Capabilities} says it works,
 * the portable NIO transport otherwise or when asked for, the io_uring transport only when asked for.
 */
public final class Datagrams {
    private Datagrams() {}

    public static UdpSocket open(UdpOptions options) throws TransportException {
        return switch (options.transport) {
            case NIO -> NioUdpSocket.open(options);
            case NATIVE -> {
                Capabilities caps = Capabilities.probe();
                if (!caps.available(Capability.NATIVE)) {
                    throw new TransportException("native transport unavailable: " + caps.reason(Capability.NATIVE),
                            "open", "unavailable");
                }
                yield LinuxUdpSocket.open(options);
            }
            case URING -> {
                Capabilities caps = Capabilities.probe();
                if (!caps.available(Capability.IO_URING)) {
                    throw new TransportException("io_uring transport unavailable: " + caps.reason(Capability.IO_URING),
                            "open", "unavailable");
                }
                yield UringUdpSocket.open(options);
            }
            // AUTO stays epoll: io_uring was not measured faster here (docs/perf-uring.md).
            case AUTO -> Capabilities.probe().available(Capability.NATIVE)
                    ? LinuxUdpSocket.open(options) : NioUdpSocket.open(options);
        };
    }
}
