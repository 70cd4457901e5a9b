package io.switchyard.io;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * How to open a {@link UdpSocket}. A mutable builder; {@link Datagrams#open} reads it once.
 *
 * <p>Defaults: bind to the wildcard on an ephemeral port (dual stack where IPv6 exists), no
 * SO_REUSEPORT, kernel default buffer sizes, GSO used when available, GRO off, SO_RXQ_OVFL on,
 * no SO_MARK, transport {@link Transport#AUTO}.
 */
public final class UdpOptions {
    InetSocketAddress bind = new InetSocketAddress(0);
    InetSocketAddress connect;
    boolean reusePort;
    int receiveBuffer;
    int sendBuffer;
    boolean gso = true;
    boolean gro;
    boolean rxqOverflow = true;
    boolean zeroCopy;
    int mark;
    Transport transport = Transport.AUTO;

    public static UdpOptions create() {
        return new UdpOptions();
    }

    /** Local address; an IPv6 wildcard (or the default) gives a dual-stack socket. */
    public UdpOptions bind(InetSocketAddress address) {
        this.bind = Objects.requireNonNull(address);
        return this;
    }

    /** Connect to this peer after binding (the kernel then prefers this socket for its 4-tuple). */
    public UdpOptions connect(InetSocketAddress peer) {
        this.connect = peer;
        return this;
    }

    public UdpOptions reusePort(boolean on) {
        this.reusePort = on;
        return this;
    }

    /** SO_RCVBUF in bytes (0 = kernel default); SO_RCVBUFFORCE is tried first (works as root). */
    public UdpOptions receiveBuffer(int bytes) {
        this.receiveBuffer = bytes;
        return this;
    }

    /** SO_SNDBUF in bytes (0 = kernel default); SO_SNDBUFFORCE is tried first (works as root). */
    public UdpOptions sendBuffer(int bytes) {
        this.sendBuffer = bytes;
        return this;
    }

    /** Use UDP GSO for trains when the kernel has it (the operator switch for kernel bugs). */
    public UdpOptions gso(boolean on) {
        this.gso = on;
        return this;
    }

    /** Ask for UDP GRO on receive (needs {@link RecvBatch#GRO_SLOT_SIZE} slots). */
    public UdpOptions gro(boolean on) {
        this.gro = on;
        return this;
    }

    /** Ask for the kernel drop counter (SO_RXQ_OVFL) with each receive. */
    public UdpOptions rxqOverflow(boolean on) {
        this.rxqOverflow = on;
        return this;
    }

    /** Enable SO_ZEROCOPY (and IP_RECVERR) so that zerocopy sends are possible. Native only. */
    public UdpOptions zeroCopy(boolean on) {
        this.zeroCopy = on;
        return this;
    }

    /**
     * SO_MARK: the firewall mark the kernel puts on every packet this socket sends (wg-quick's
     * {@code FwMark}), which {@code ip rule fwmark} and netfilter match on. An unsigned 32-bit
     * value carried in an int ({@code (int) 0xffff_ffffL} is the mark 0xffffffff); 0 sets none.
     * Set before bind and connect, so the connected socket's route is chosen with it. Needs
     * CAP_NET_ADMIN: without it {@link Datagrams#open} fails with a {@link io.switchyard.io.errors.TransportException TransportException}
     * whose call is {@code "setsockopt SO_MARK"}. Native transport only: the NIO transport has no
     * way to set it and refuses a non-zero mark rather than send unmarked packets.
     */
    public UdpOptions mark(int mark) {
        this.mark = mark;
        return this;
    }

    public UdpOptions transport(Transport t) {
        this.transport = Objects.requireNonNull(t);
        return this;
    }
}
