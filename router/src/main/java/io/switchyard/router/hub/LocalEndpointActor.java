package io.switchyard.router.hub;

import io.switchyard.actors.Actor;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.router.HubMetric;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.wireguard.ip.InnerPacket;
import io.switchyard.wireguard.ip.InnerUdp;
import io.switchyard.wireguard.routing.FrozenAllowedIps;
import io.switchyard.zerocopy.PacketBuffer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The destination actor of the hub's own addresses ({@link LocalStack}): peer actors route
 * packets for them here exactly as they route to a peer, as {@link PeerMsg.Outbound} batches
 * (window = 16 bytes of header room + the IP packet).
 *
 * <pre>
 *  ICMP echo request (IPv4 type 8, ICMPv6 type 128), checksum valid
 *      ─▶ answered in place: addresses swapped, type 0 / 129, TTL 64, checksums redone
 *      ─▶ routed to the peer owning the requester (one batch per destination) ─▶ sealed there
 *  UDP to a bound port (and address) ─▶ an {@link OverlayDatagram} (a copy) to its receiver
 *  anything else ─▶ LOCAL_UNREACHABLE; a bad checksum or header ─▶ INNER_MALFORMED
 * </pre>
 * One actor for all local addresses: the hub's own traffic is control-plane sized.
 */
final class LocalEndpointActor implements Actor<PeerMsg> {
    private static final int HEADER = LocalStack.HEADER;
    private static final int ICMP = InnerPacket.PROTOCOL_ICMP;
    private static final int UDP = InnerPacket.PROTOCOL_UDP;
    private static final int ICMPV6 = InnerPacket.PROTOCOL_ICMPV6;

    private final Routes routes;
    private final LocalStack stack;
    private final Counters counters;
    private final Outbox outbox;
    private final MailboxShares shares;

    LocalEndpointActor(Routes routes, LocalStack stack, MailboxShares shares) {
        this.routes = routes;
        this.stack = stack;
        this.counters = stack.handle.counters;
        this.shares = shares;
        this.outbox = new Outbox(shares, stack.handle);
    }

    @Override
    public void receive(PeerMsg message) {
        if (!(message instanceof PeerMsg.Outbound out)) {
            return; // a peer's control messages never come here
        }
        shares.releaseOutbound(out.from, stack.handle, out.size); // out of the mailbox: the sender charged them here
        FrozenAllowedIps<PeerHandle> routes = this.routes.current();
        for (int k = 0; k < out.size; k++) {
            PacketBuffer b = out.buffers[k];
            out.buffers[k] = null;
            handle(b, routes, out.size);
        }
        outbox.handOff(counters);
    }

    private void handle(PacketBuffer b, FrozenAllowedIps<PeerHandle> routes, int batch) {
        ByteBuffer v = b.view();
        int ip = b.offset() + HEADER;
        int total = b.length() - HEADER;
        boolean v4 = (v.get(ip) & 0xf0) == 0x40;
        if (v4) {
            int ihl = (v.get(ip) & 0x0f) * 4;
            int protocol = v.get(ip + InnerPacket.V4_PROTOCOL) & 0xff;
            if (protocol == ICMP) {
                int icmp = ip + ihl;
                int len = total - ihl;
                if (len < 8 || InnerUdp.checksum(v, icmp, len) != 0) {
                    drop(b, DropReason.INNER_MALFORMED);
                } else if (v.get(icmp + InnerPacket.ICMP_TYPE) == 8 && v.get(icmp + InnerPacket.ICMP_CODE) == 0) {
                    swap(v, ip + InnerPacket.V4_SRC, ip + InnerPacket.V4_DST, 4);
                    v.put(ip + InnerPacket.V4_TTL, (byte) 64);
                    v.putShort(ip + InnerPacket.V4_CHECKSUM, (short) 0);
                    v.putShort(ip + InnerPacket.V4_CHECKSUM, (short) InnerUdp.checksum(v, ip, ihl));
                    v.put(icmp + InnerPacket.ICMP_TYPE, (byte) 0); // echo reply
                    v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) 0);
                    v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) InnerUdp.checksum(v, icmp, len));
                    reply(b, routes.lookupV4(b.slot(), ip + InnerPacket.V4_DST), batch);
                } else {
                    drop(b, DropReason.LOCAL_UNREACHABLE);
                }
            } else if (protocol == UDP) {
                int n = InnerUdp.payloadLength(v, ip, total);
                if (n < 0) {
                    drop(b, DropReason.INNER_MALFORMED);
                } else {
                    deliver(b, v, ip, InnerPacket.V4_SRC, InnerPacket.V4_DST, 4, InnerUdp.srcPort(v, ip),
                            InnerUdp.dstPort(v, ip), ip + InnerUdp.HEADERS, n);
                }
            } else {
                drop(b, DropReason.LOCAL_UNREACHABLE);
            }
            return;
        }
        int next = v.get(ip + InnerPacket.V6_NEXT_HEADER) & 0xff;
        if (next == ICMPV6) {
            int icmp = ip + InnerPacket.IPV6_HEADER;
            int len = total - InnerPacket.IPV6_HEADER;
            if (len < 8 || InnerUdp.checksum6(v, ip, len, ICMPV6) != 0) {
                drop(b, DropReason.INNER_MALFORMED);
            } else if ((v.get(icmp + InnerPacket.ICMP_TYPE) & 0xff) == 128 && v.get(icmp + InnerPacket.ICMP_CODE) == 0) {
                swap(v, ip + InnerPacket.V6_SRC, ip + InnerPacket.V6_DST, 16);
                v.put(ip + InnerPacket.V6_HOP_LIMIT, (byte) 64);
                v.put(icmp + InnerPacket.ICMP_TYPE, (byte) 129); // echo reply
                v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) 0);
                v.putShort(icmp + InnerPacket.ICMP_CHECKSUM, (short) InnerUdp.checksum6(v, ip, len, ICMPV6));
                reply(b, routes.lookupV6(b.slot(), ip + InnerPacket.V6_DST), batch);
            } else {
                drop(b, DropReason.LOCAL_UNREACHABLE);
            }
        } else if (next == UDP) {
            int n = InnerUdp.payloadLength6(v, ip, total);
            if (n < 0) {
                drop(b, DropReason.INNER_MALFORMED);
            } else {
                deliver(b, v, ip, InnerPacket.V6_SRC, InnerPacket.V6_DST, 16, InnerUdp.srcPort6(v, ip),
                        InnerUdp.dstPort6(v, ip), ip + InnerUdp.HEADERS6, n);
            }
        } else {
            drop(b, DropReason.LOCAL_UNREACHABLE); // another protocol, or an extension header
        }
    }

    /** The request was answered in place: it is consumed, and the reply is a packet the hub made. */
    private void reply(PacketBuffer b, PeerHandle dest, int batch) {
        counters.inc(HubCounter.CONSUMED);
        stack.counts.increment(HubMetric.LOCAL_ORIGINATED);
        if (dest == null || dest == stack.handle) {
            drop(b, DropReason.NO_ROUTE);
            return;
        }
        stack.pad(b);
        if (!outbox.add(dest, b, batch)) {
            drop(b, DropReason.PEER_OVER_QUOTA);
        }
    }

    private void deliver(PacketBuffer b, ByteBuffer v, int ip, int srcAt, int dstAt, int addrLen, int srcPort,
                         int dstPort, int payloadAt, int payloadLength) {
        LocalStack.Binding binding = stack.binding(dstPort);
        byte[] dst = new byte[addrLen];
        v.get(ip + dstAt, dst);
        if (binding == null || (binding.address() != null && !java.util.Arrays.equals(binding.address(), dst))) {
            drop(b, DropReason.LOCAL_UNREACHABLE);
            return;
        }
        byte[] src = new byte[addrLen];
        v.get(ip + srcAt, src);
        byte[] payload = new byte[payloadLength];
        v.get(payloadAt, payload);
        b.release();
        OverlayDatagram d;
        try {
            d = new OverlayDatagram(InetAddress.getByAddress(src), srcPort, InetAddress.getByAddress(dst), dstPort, payload);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes
        }
        if (binding.receiver().tell(d)) {
            counters.inc(HubCounter.CONSUMED);
        } else {
            counters.drop(DropReason.LOCAL_QUEUE_FULL);
        }
    }

    private static void swap(ByteBuffer v, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            byte t = v.get(a + i);
            v.put(a + i, v.get(b + i));
            v.put(b + i, t);
        }
    }

    private void drop(PacketBuffer b, DropReason reason) {
        b.release();
        counters.drop(reason);
    }
}
