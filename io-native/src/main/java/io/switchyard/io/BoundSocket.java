package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * A non-blocking UDP socket with the {@link UdpOptions} applied, bound and maybe connected: how
 * the epoll and the io_uring transports both begin. The options that may be refused without
 * failing the open (SO_RXQ_OVFL, UDP_GRO; GSO as the capability probe found it) say here whether
 * they are on. Everything else refused fails the open, naming the option and the errno.
 *
 * @param fd     the socket (SOCK_NONBLOCK, SOCK_CLOEXEC), owned by the caller from now on
 * @param ipv6   an AF_INET6 socket (dual stack): IPv4 destinations must be IPv4-mapped
 * @param rxq    SO_RXQ_OVFL is on: received datagrams carry the kernel's drop count
 * @param gro    UDP_GRO is on: a received slot may hold a coalesced train
 * @param gso    UDP GSO sends may be tried
 * @param local  the bound address, as getsockname reports it (the kernel's port when 0 was asked)
 * @param remote the connected peer, or null
 */
record BoundSocket(int fd, boolean ipv6, boolean rxq, boolean gro, boolean gso,
                   InetSocketAddress local, InetSocketAddress remote) {

    /**
     * Creates, configures, binds (and connects) the socket. {@code errorQueue} sets SO_ZEROCOPY
     * and IP_RECVERR, for MSG_ZEROCOPY completions on the error queue (the io_uring transport
     * gets its completions as CQEs and needs neither).
     */
    static BoundSocket open(UdpOptions o, boolean errorQueue) throws TransportException {
        InetSocketAddress bind = o.bind;
        boolean v6 = bind.getAddress() instanceof Inet6Address;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            int fd = LibC.socket(cs, v6 ? Linux.AF_INET6 : Linux.AF_INET,
                    Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Errno.exception("socket", -fd);
            }
            try {
                if (v6) {
                    // Dual stack on a wildcard bind; a specific IPv6 address is IPv6 only anyway.
                    setInt(a, cs, fd, Linux.SOL_IPV6, Linux.IPV6_V6ONLY, 0, "IPV6_V6ONLY");
                }
                if (o.reusePort) {
                    setInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_REUSEPORT, 1, "SO_REUSEPORT");
                }
                if (o.mark != 0) {
                    // Before bind and connect: connect's route lookup already uses the mark.
                    int e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_MARK, o.mark);
                    if (e != 0) {
                        throw new TransportException("setsockopt SO_MARK 0x" + Integer.toUnsignedString(o.mark, 16)
                                + ": " + Errno.name(e) + " (" + e + ")"
                                + (e == Errno.EPERM ? "; setting a mark needs CAP_NET_ADMIN" : ""),
                                "setsockopt SO_MARK", Errno.name(e));
                    }
                }
                if (o.receiveBuffer > 0) {
                    setBuffer(a, cs, fd, Linux.SO_RCVBUFFORCE, Linux.SO_RCVBUF, o.receiveBuffer);
                }
                if (o.sendBuffer > 0) {
                    setBuffer(a, cs, fd, Linux.SO_SNDBUFFORCE, Linux.SO_SNDBUF, o.sendBuffer);
                }
                boolean rxq = o.rxqOverflow && trySetInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, 1) == 0;
                boolean gro = o.gro && trySetInt(a, cs, fd, Linux.SOL_UDP, Linux.UDP_GRO, 1) == 0;
                boolean gso = o.gso && Capabilities.probe().available(Capability.GSO);
                if (errorQueue) {
                    setInt(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_ZEROCOPY, 1, "SO_ZEROCOPY");
                    if (v6) {
                        setInt(a, cs, fd, Linux.SOL_IPV6, Linux.IPV6_RECVERR, 1, "IPV6_RECVERR");
                    }
                    // On a dual-stack socket IPv4 traffic reports through IP_RECVERR.
                    trySetInt(a, cs, fd, Linux.SOL_IP, Linux.IP_RECVERR, 1);
                }
                MemorySegment addr = a.allocate(SOCKADDR_STORAGE, 8);
                int len = SockAddr.encode(bind, addr, 0, v6);
                int r = LibC.bind(cs, fd, addr, len);
                if (r < 0) {
                    throw Errno.exception("bind " + bind, -r);
                }
                InetSocketAddress remote = null;
                if (o.connect != null) {
                    len = SockAddr.encode(o.connect, addr, 0, v6);
                    r = LibC.connect(cs, fd, addr, len);
                    if (r < 0) {
                        throw Errno.exception("connect " + o.connect, -r);
                    }
                    remote = o.connect;
                }
                MemorySegment alen = a.allocate(JAVA_INT);
                alen.set(JAVA_INT, 0, (int) SOCKADDR_STORAGE);
                addr.fill((byte) 0);
                r = LibC.getsockname(cs, fd, addr, alen);
                if (r < 0) {
                    throw Errno.exception("getsockname", -r);
                }
                return new BoundSocket(fd, v6, rxq, gro, gso, SockAddr.decode(addr, 0), remote);
            } catch (TransportException | RuntimeException e) {
                LibC.close(cs, fd);
                throw e;
            }
        }
    }

    /** An int socket option as the kernel has it (SO_MARK, say); for tests and diagnostics. */
    static int intOption(int fd, int level, int name, String what) throws TransportException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            MemorySegment v = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, Integer.BYTES);
            int r = LibC.getsockopt(cs, fd, level, name, v, len);
            if (r < 0) {
                throw Errno.exception("getsockopt " + what, -r);
            }
            return v.get(JAVA_INT, 0);
        }
    }

    private static int trySetInt(Arena a, MemorySegment cs, int fd, int level, int name, int value) {
        MemorySegment v = a.allocate(JAVA_INT);
        v.set(JAVA_INT, 0, value);
        int r = LibC.setsockopt(cs, fd, level, name, v, Integer.BYTES);
        return r < 0 ? -r : 0;
    }

    private static void setInt(Arena a, MemorySegment cs, int fd, int level, int name, int value, String what)
            throws TransportException {
        int e = trySetInt(a, cs, fd, level, name, value);
        if (e != 0) {
            throw Errno.exception("setsockopt " + what, e);
        }
    }

    private static void setBuffer(Arena a, MemorySegment cs, int fd, int force, int plain, int bytes)
            throws TransportException {
        // The FORCE variants ignore net.core.{r,w}mem_max but need CAP_NET_ADMIN.
        int e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, force, bytes);
        if (e == Errno.EPERM) {
            e = trySetInt(a, cs, fd, Linux.SOL_SOCKET, plain, bytes);
        }
        if (e != 0) {
            throw Errno.exception("setsockopt buffer size", e);
        }
    }
}
