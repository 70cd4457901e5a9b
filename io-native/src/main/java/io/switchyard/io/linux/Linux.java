package io.switchyard.io.linux;

/** Linux constants (x86_64 / generic uapi values), with the spec names. */
public final class Linux {
    private Linux() {}

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    /** The fwmark routing rules and netfilter match on; setting it needs CAP_NET_ADMIN. */
    public static final int SO_MARK = 36;
    public static final int SO_RXQ_OVFL = 40;
    public static final int SO_ZEROCOPY = 60;

    public static final int SOL_IP = 0;
    public static final int IP_RECVERR = 11;
    public static final int SOL_IPV6 = 41;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_RECVERR = 25;
    public static final int SOL_UDP = 17;
    public static final int UDP_SEGMENT = 103;
    public static final int UDP_GRO = 104;

    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int MSG_WAITFORONE = 0x10000;
    public static final int MSG_ZEROCOPY = 0x4000000;

    public static final int SO_EE_ORIGIN_ZEROCOPY = 5;
    public static final int SO_EE_CODE_ZEROCOPY_COPIED = 1;

    public static final int EPOLLIN = 0x1;
    public static final int EPOLLOUT = 0x4;
    public static final int EPOLLERR = 0x8;
    public static final int EPOLLHUP = 0x10;
    public static final int EPOLLET = 1 << 31;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    /**
     * Kernel limits for one UDP GSO send (UDP_MAX_SEGMENTS; max UDP payload over IPv4). 64 is
     * what every kernel with UDP GSO accepts; newer ones (6.x) accept 128, but a train above 64
     * would fail with EINVAL on older kernels and trip the GSO downgrade, so we send at most 64.
     */
    public static final int GSO_MAX_SEGMENTS = 64;
    public static final int GSO_MAX_BYTES = 65_507;
    /**
     * Segments one GRO receive may deliver in one buffer that the receive side is sized for up
     * front: a local GSO train arrives at a GRO socket whole, and newer kernels (6.x, this
     * machine's 6.18) accept 128-segment trains from any sender. More would still be handled.
     */
    public static final int GRO_MAX_SEGMENTS = 128;
}
