package io.switchyard.router.hub;

import io.switchyard.actors.ActorRef;
import io.switchyard.config.InterfaceAddress;
import io.switchyard.config.Key32;
import io.switchyard.config.RouterSettings;
import io.switchyard.counters.CounterSet;
import io.switchyard.router.HubMetric;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.router.OverlayUdpEndpoint;
import io.switchyard.wireguard.ip.InnerPacket;
import io.switchyard.wireguard.ip.InnerUdp;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.wireguard.routing.FrozenAllowedIps;
import io.switchyard.zerocopy.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hub's own overlay addresses (wg-quick {@code Address}) and what answers on them. A packet
 * a peer sends to one of them is routed, like any packet, to a destination actor: the
 * {@link LocalEndpointActor} behind {@link #handle}, which answers ICMP echo requests and hands
 * UDP datagrams to the receivers bound with {@link #bind}. Packets the hub makes itself (echo
 * replies, datagrams a bound endpoint sends) enter the data path here, routed by AllowedIPs to
 * the owning peer's actor, which seals and sends them as it does forwarded ones.
 *
 * <p>Accounting: a packet for a local address ends as consumed (answered or delivered) or
 * dropped with a reason; a packet the hub makes is counted as {@code local.originated} and then
 * ends as forwarded or dropped. So received + originated = forwarded + consumed + dropped.
 */
final class LocalStack {
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final int HEADER = Messages.TRANSPORT_PAYLOAD;

    /** The route owner of the hub's addresses; its actor is the {@link LocalEndpointActor}. */
    final PeerHandle handle = new PeerHandle(Key32.of(new byte[32]), null, null, null);
    private final PacketPools buffers;
    private final Routes routes;
    private volatile Addresses addresses = Addresses.NONE;
    private final ConcurrentHashMap<Integer, Binding> bindings = new ConcurrentHashMap<>();
    /** The hub-wide counts this stack keeps: local.originated, local.send_*, local.too_big_*. */
    final CounterSet<HubMetric> counts;

    /** The interface's MTU, or 0 when the file sets none. */
    private volatile int mtu;

    /** What the hub pads its own packets up to when the file sets no MTU: wg-quick's usual 1,420. */
    static final int DEFAULT_PADDING_LIMIT = 1420;
    /** An ICMPv4 error carries at most this much of the packet (576 bytes in all, as Linux sends). */
    private static final int ICMP4_QUOTE = 576 - InnerPacket.IPV4_HEADER - 8;
    /** An ICMPv6 error fits the IPv6 minimum MTU of 1,280 bytes (RFC 4443). */
    private static final int ICMP6_QUOTE = 1280 - InnerPacket.IPV6_HEADER - 8;

    LocalStack(PacketPools buffers, Routes routes, CounterSet<HubMetric> counts) {
        this.buffers = buffers;
        this.routes = routes;
        this.counts = counts;
    }

    void setMtu(java.util.OptionalInt value) {
        mtu = value.orElse(0);
    }

    /** The interface MTU, or 0 if none is set (then forwarded packets are not limited). */
    int mtu() {
        return mtu;
    }

    /**
     * Pads the IP packet in {@code b} (window = header room + packet) with zeros to a multiple of
     * 16, up to the MTU and no further, as a WireGuard interface pads what it sends.
     */
    void pad(PacketBuffer b) {
        int total = b.length() - HEADER;
        int limit = mtu > 0 ? mtu : DEFAULT_PADDING_LIMIT;
        int padded = Math.min(PeerEngine.paddedLength(total, limit),
                b.capacity() - b.offset() - HEADER - 16);
        if (padded > total) {
            b.slot().asSlice(b.offset() + HEADER + total, padded - total).fill((byte) 0);
            b.window(b.offset(), HEADER + padded);
        }
    }

    /**
     * An ICMP "fragmentation needed" (IPv4) or ICMPv6 "packet too big" answer to the inner packet
     * in {@code original} (at {@code ip}, {@code total} bytes), carrying the MTU and the start of
     * the packet, from the hub's first address of that family to the packet's source, in a new
     * buffer (window = header room + packet, padded); null, counted, when the hub has no address
     * of that family or no buffer. The caller sends it back to the peer that sent the original.
     */
    PacketBuffer packetTooBig(PacketBuffer original, long ip, int total, boolean v4) {
        Addresses a = addresses;
        byte[] src = v4 ? a.firstV4() : a.firstV6();
        PacketBuffer b = src == null ? null : buffers.acquire(RouterSettings.SMALL_BUFFER_BYTES);
        if (b == null) {
            counts.increment(HubMetric.LOCAL_TOO_BIG_UNANSWERED);
            return null;
        }
        MemorySegment from = original.slot();
        MemorySegment to = b.slot();
        ByteBuffer v = b.view();
        int at = HEADER;
        int mtuNow = mtu;
        if (v4) {
            int quote = Math.min(total, ICMP4_QUOTE);
            int len = InnerPacket.IPV4_HEADER + InnerPacket.ICMP_HEADER + quote;
            v.put(at, (byte) 0x45).put(at + 1, (byte) 0).putShort(at + InnerPacket.V4_TOTAL_LENGTH, (short) len)
                    .putInt(at + InnerPacket.V4_IDENTIFICATION, 0).put(at + InnerPacket.V4_TTL, (byte) 64)
                    .put(at + InnerPacket.V4_PROTOCOL, (byte) InnerPacket.PROTOCOL_ICMP).putShort(at + InnerPacket.V4_CHECKSUM, (short) 0);
            v.put(at + InnerPacket.V4_SRC, src);
            MemorySegment.copy(from, ip + InnerPacket.V4_SRC, to, at + InnerPacket.V4_DST, 4);
            v.putShort(at + InnerPacket.V4_CHECKSUM, (short) InnerUdp.checksum(v, at, InnerPacket.IPV4_HEADER));
            int icmp = at + InnerPacket.IPV4_HEADER;
            // Type 3 (destination unreachable), code 4 (fragmentation needed), next-hop MTU in the low half of the rest.
            v.put(icmp + InnerPacket.ICMP_TYPE, (byte) 3).put(icmp + InnerPacket.ICMP_CODE, (byte) 4).putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) 0)
                    .putShort(icmp + InnerPacket.ICMP_REST, (short) 0).putShort(icmp + InnerPacket.ICMP_REST + 2, (short) mtuNow);
            MemorySegment.copy(from, ip, to, icmp + InnerPacket.ICMP_HEADER, quote);
            v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) InnerUdp.checksum(v, icmp, InnerPacket.ICMP_HEADER + quote));
            b.window(0, HEADER + len);
        } else {
            int quote = Math.min(total, ICMP6_QUOTE);
            int upper = InnerPacket.ICMP_HEADER + quote;
            v.putInt(at, 0x6000_0000).putShort(at + InnerPacket.V6_PAYLOAD_LENGTH, (short) upper)
                    .put(at + InnerPacket.V6_NEXT_HEADER, (byte) InnerPacket.PROTOCOL_ICMPV6).put(at + InnerPacket.V6_HOP_LIMIT, (byte) 64);
            v.put(at + InnerPacket.V6_SRC, src);
            MemorySegment.copy(from, ip + InnerPacket.V6_SRC, to, at + InnerPacket.V6_DST, 16);
            int icmp = at + InnerPacket.IPV6_HEADER;
            // Type 2 (packet too big), code 0, the MTU as the rest.
            v.put(icmp + InnerPacket.ICMP_TYPE, (byte) 2).put(icmp + InnerPacket.ICMP_CODE, (byte) 0).putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) 0)
                    .putInt(icmp + InnerPacket.ICMP_REST, mtuNow);
            MemorySegment.copy(from, ip, to, icmp + InnerPacket.ICMP_HEADER, quote);
            v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) InnerUdp.checksum6(v, at, upper, InnerPacket.PROTOCOL_ICMPV6));
            b.window(0, HEADER + InnerPacket.IPV6_HEADER + upper);
        }
        pad(b);
        counts.increment(HubMetric.LOCAL_TOO_BIG_ANSWERED);
        counts.increment(HubMetric.LOCAL_ORIGINATED);
        return b;
    }

    /** The addresses as matched on the data path: IPv4 as ints, IPv6 as two longs, network order. */
    record Addresses(int[] v4, long[] v6, byte[] firstV4, byte[] firstV6) {
        static final Addresses NONE = new Addresses(new int[0], new long[0], null, null);

        static Addresses of(List<InterfaceAddress> list) {
            int n4 = 0;
            int n6 = 0;
            for (InterfaceAddress a : list) {
                if (a.isIpv4()) {
                    n4++;
                } else {
                    n6++;
                }
            }
            int[] v4 = new int[n4];
            long[] v6 = new long[2 * n6];
            byte[] first4 = null;
            byte[] first6 = null;
            int i4 = 0;
            int i6 = 0;
            for (InterfaceAddress a : list) {
                byte[] b = a.addressBytes();
                ByteBuffer bb = ByteBuffer.wrap(b);
                if (a.isIpv4()) {
                    v4[i4++] = bb.getInt(0);
                    first4 = first4 == null ? b : first4;
                } else {
                    v6[i6++] = bb.getLong(0);
                    v6[i6++] = bb.getLong(8);
                    first6 = first6 == null ? b : first6;
                }
            }
            return new Addresses(v4, v6, first4, first6);
        }

        boolean isEmpty() {
            return v4.length == 0 && v6.length == 0;
        }

        boolean local4(MemorySegment seg, long at) {
            int a = seg.get(BE_INT, at);
            for (int x : v4) {
                if (x == a) {
                    return true;
                }
            }
            return false;
        }

        boolean local6(MemorySegment seg, long at) {
            if (v6.length == 0) {
                return false;
            }
            long hi = seg.get(BE_LONG, at);
            long lo = seg.get(BE_LONG, at + 8);
            for (int i = 0; i < v6.length; i += 2) {
                if (v6[i] == hi && v6[i + 1] == lo) {
                    return true;
                }
            }
            return false;
        }

        boolean contains(byte[] a) {
            ByteBuffer bb = ByteBuffer.wrap(a);
            if (a.length == 4) {
                for (int x : v4) {
                    if (x == bb.getInt(0)) {
                        return true;
                    }
                }
                return false;
            }
            for (int i = 0; i < v6.length; i += 2) {
                if (v6[i] == bb.getLong(0) && v6[i + 1] == bb.getLong(8)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A bound UDP port: the receiver of its datagrams and the address it is bound to (null: every hub address). */
    record Binding(int port, byte[] address, ActorRef<? super OverlayDatagram> receiver) {}

    void setAddresses(List<InterfaceAddress> list) {
        addresses = Addresses.of(list);
    }

    /** The current addresses (read once per batch on the data path). */
    Addresses addresses() {
        return addresses;
    }

    Binding binding(int port) {
        return bindings.get(port);
    }

    int bindings() {
        return bindings.size();
    }

    OverlayUdpEndpoint bind(InetAddress address, int port, ActorRef<? super OverlayDatagram> receiver) {
        Objects.requireNonNull(receiver, "receiver");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        byte[] a = address == null || address.isAnyLocalAddress() ? null : address.getAddress();
        if (a != null && !addresses.contains(a)) {
            throw new IllegalArgumentException(address.getHostAddress()
                    + " is not one of the hub's addresses (the interface's Address setting)");
        }
        Binding b = new Binding(port, a, receiver);
        if (bindings.putIfAbsent(port, b) != null) {
            throw new IllegalStateException("overlay UDP port " + port + " is already bound");
        }
        return new Endpoint(b);
    }

    /**
     * Routes a packet the hub made (in {@code b}: window = header room + IP packet) to the peer
     * owning its destination, counting it as originated. Returns false (buffer released,
     * counted) if no peer owns it or the peer's mailbox refuses.
     */
    private boolean send(PacketBuffer b, boolean v4, long dstAt) {
        pad(b);
        FrozenAllowedIps<PeerHandle> routes = this.routes.current();
        PeerHandle dest = v4 ? routes.lookupV4(b.slot(), dstAt) : routes.lookupV6(b.slot(), dstAt);
        if (dest == null || dest == handle) {
            b.release();
            counts.increment(HubMetric.LOCAL_SEND_NO_ROUTE);
            return false;
        }
        if (!buffers.shares().admitsOutbound(handle, dest, 0)) {
            b.release();
            counts.increment(HubMetric.LOCAL_SEND_REFUSED);
            return false;
        }
        PeerMsg.Outbound out = new PeerMsg.Outbound(1, handle);
        out.add(b);
        buffers.shares().chargeOutbound(handle, dest, 1);
        if (!dest.ref.tell(out)) {
            buffers.shares().releaseOutbound(handle, dest, 1);
            b.release();
            counts.increment(HubMetric.LOCAL_SEND_REFUSED);
            return false;
        }
        counts.increment(HubMetric.LOCAL_ORIGINATED);
        return true;
    }

    private final class Endpoint implements OverlayUdpEndpoint {
        private final Binding binding;
        private volatile boolean closed;

        Endpoint(Binding binding) {
            this.binding = binding;
        }

        @Override
        public InetSocketAddress localAddress() {
            try {
                InetAddress a = binding.address() == null ? InetAddress.getByAddress(new byte[4])
                        : InetAddress.getByAddress(binding.address());
                return new InetSocketAddress(a, binding.port());
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public boolean send(InetAddress destination, int port, byte[] payload) {
            if (closed) {
                throw new IllegalStateException("overlay UDP port " + binding.port() + " is closed");
            }
            boolean v4 = destination instanceof Inet4Address;
            int max = v4 ? MAX_IPV4_PAYLOAD : MAX_IPV6_PAYLOAD;
            if (payload.length > max) {
                throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds " + max);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range 1..65535");
            }
            Addresses now = addresses;
            byte[] src = binding.address() != null && binding.address().length == (v4 ? 4 : 16) ? binding.address()
                    : v4 ? now.firstV4() : now.firstV6();
            if (src == null) {
                counts.increment(HubMetric.LOCAL_SEND_NO_ROUTE);
                return false; // no hub address of that family to send from
            }
            PacketBuffer b = buffers.acquire(HEADER + (v4 ? InnerUdp.HEADERS : InnerUdp.HEADERS6) + payload.length + 16);
            if (b == null) {
                counts.increment(HubMetric.LOCAL_SEND_NO_BUFFER);
                return false;
            }
            ByteBuffer view = b.view();
            int headers = v4 ? InnerUdp.HEADERS : InnerUdp.HEADERS6;
            view.put(HEADER + headers, payload);
            int total = v4
                    ? InnerUdp.writeHeaders(view, HEADER, src, destination.getAddress(), binding.port(), port, payload.length)
                    : InnerUdp.writeHeaders6(view, HEADER, src, destination.getAddress(), binding.port(), port, payload.length);
            b.window(0, HEADER + total);
            return LocalStack.this.send(b, v4, HEADER + (v4 ? InnerPacket.V4_DST : InnerPacket.V6_DST));
        }

        @Override
        public void close() {
            closed = true;
            bindings.remove(binding.port(), binding);
        }
    }
}
