package io.switchyard.wireguard.ip;

import java.nio.ByteBuffer;

/**
 * Inner IPv4/UDP packets as client mode sends and receives them (no TUN: the program speaks UDP
 * inside the tunnel). Writes the IPv4 header with a correct header checksum and a UDP header with
 * checksum 0 ("none", allowed for UDP over IPv4 by RFC 768); parses the reverse and refuses
 * anything that is not a well-formed, unfragmented IPv4 UDP packet.
 *
 * <p>IPv6 ({@link #writeHeaders6}, {@link #payloadLength6}): a 40-byte header with no extension
 * headers and a UDP header whose checksum is mandatory (RFC 8200 section 8.1): computed over the
 * pseudo-header (source, destination, UDP length, next header 17) and the whole datagram, a
 * computed zero sent as 0xffff, and a received zero refused.
 */
public final class InnerUdp {
    /** IPv4 header (20, no options) plus UDP header (8). */
    public static final int HEADERS = 28;

    private InnerUdp() {}

    /**
     * Writes an IPv4/UDP packet with {@code payloadLength} payload bytes (already in place at
     * {@code offset + 28}) at {@code offset}; returns the total length.
     */
    public static int writeHeaders(ByteBuffer b, int offset, byte[] src, byte[] dst, int srcPort, int dstPort,
            int payloadLength) {
        int total = HEADERS + payloadLength;
        if (total > 0xffff) {
            throw new IllegalArgumentException("an IPv4 packet holds at most 65,507 payload bytes, got " + payloadLength);
        }
        b.put(offset, (byte) 0x45);
        b.put(offset + 1, (byte) 0);
        b.putShort(offset + 2, (short) total);
        b.putInt(offset + 4, 0x4000); // identification 0, DF
        b.put(offset + 8, (byte) 64);
        b.put(offset + 9, (byte) 17);
        b.putShort(offset + 10, (short) 0);
        b.put(offset + 12, src, 0, 4);
        b.put(offset + 16, dst, 0, 4);
        b.putShort(offset + 10, (short) checksum(b, offset, 20));
        b.putShort(offset + 20, (short) srcPort);
        b.putShort(offset + 22, (short) dstPort);
        b.putShort(offset + 24, (short) (8 + payloadLength));
        b.putShort(offset + 26, (short) 0);
        return total;
    }

    /** IPv6 header (40, no extension headers) plus UDP header (8). */
    public static final int HEADERS6 = 48;

    /**
     * Writes an IPv6/UDP packet with {@code payloadLength} payload bytes (already in place at
     * {@code offset + 48}) at {@code offset}, UDP checksum included; returns the total length.
     */
    public static int writeHeaders6(ByteBuffer b, int offset, byte[] src, byte[] dst, int srcPort, int dstPort,
            int payloadLength) {
        int udpLength = 8 + payloadLength;
        if (src.length != 16 || dst.length != 16) {
            throw new IllegalArgumentException("IPv6 addresses are 16 bytes");
        }
        if (payloadLength < 0 || udpLength > 0xffff) {
            throw new IllegalArgumentException("an IPv6 UDP packet holds at most 65,527 payload bytes, got "
                    + payloadLength);
        }
        b.putInt(offset, 0x60000000); // version 6, traffic class 0, flow label 0
        b.putShort(offset + 4, (short) udpLength);
        b.put(offset + 6, (byte) 17);
        b.put(offset + 7, (byte) 64);
        b.put(offset + 8, src, 0, 16);
        b.put(offset + 24, dst, 0, 16);
        int udp = offset + 40;
        b.putShort(udp, (short) srcPort);
        b.putShort(udp + 2, (short) dstPort);
        b.putShort(udp + 4, (short) udpLength);
        b.putShort(udp + 6, (short) 0);
        int sum = udpChecksum6(b, offset, udpLength);
        // A computed zero is sent as all ones: zero on the wire means "no checksum", which IPv6 forbids.
        b.putShort(udp + 6, (short) (sum == 0 ? 0xffff : sum));
        return 40 + udpLength;
    }

    /**
     * The UDP payload length of the IPv6/UDP packet of at most {@code length} bytes at
     * {@code offset} (payload at {@code offset + 48}), or -1 when it is not one: wrong version, an
     * extension header or another protocol, lengths that do not fit, a zero or wrong UDP checksum.
     */
    public static int payloadLength6(ByteBuffer b, int offset, int length) {
        if (length < HEADERS6 || (b.get(offset) & 0xf0) != 0x60 || b.get(offset + 6) != 17) {
            return -1;
        }
        int udpLength = b.getShort(offset + 4) & 0xffff;
        if (udpLength < 8 || 40 + udpLength > length || (b.getShort(offset + 44) & 0xffff) != udpLength
                || b.getShort(offset + 46) == 0 || udpChecksum6(b, offset, udpLength) != 0) {
            return -1;
        }
        return udpLength - 8;
    }

    /** The destination port of a packet {@link #payloadLength6} accepted. */
    public static int dstPort6(ByteBuffer b, int offset) {
        return b.getShort(offset + 42) & 0xffff;
    }

    /** The source port of a packet {@link #payloadLength6} accepted. */
    public static int srcPort6(ByteBuffer b, int offset) {
        return b.getShort(offset + 40) & 0xffff;
    }

    /** RFC 1071 checksum over the IPv6 pseudo-header and the UDP datagram at {@code offset + 40}. */
    private static int udpChecksum6(ByteBuffer b, int offset, int udpLength) {
        return checksum6(b, offset, udpLength, 17);
    }

    /**
     * RFC 1071 checksum over the IPv6 pseudo-header (the addresses of the header at
     * {@code offset}, {@code upperLength}, {@code nextHeader}) and the {@code upperLength} bytes
     * at {@code offset + 40}: the checksum of UDP (17) and ICMPv6 (58) over IPv6.
     */
    public static int checksum6(ByteBuffer b, int offset, int upperLength, int nextHeader) {
        int udpLength = upperLength;
        long sum = 0;
        for (int i = 8; i < 40; i += 2) { // source and destination addresses
            sum += b.getShort(offset + i) & 0xffff;
        }
        sum += udpLength + nextHeader;
        int udp = offset + 40;
        int i = 0;
        for (; i + 1 < udpLength; i += 2) {
            sum += b.getShort(udp + i) & 0xffff;
        }
        if (i < udpLength) {
            sum += (b.get(udp + i) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}. */
    public static int checksum(ByteBuffer b, int offset, int length) {
        int sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += b.getShort(offset + i) & 0xffff;
        }
        if (i < length) {
            sum += (b.get(offset + i) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    /**
     * The UDP payload length of the IPv4/UDP packet of at most {@code length} bytes at
     * {@code offset} (payload at {@code offset + 28}), or -1 when it is not one: wrong version,
     * options, fragment, protocol, bad header checksum or lengths that do not fit.
     */
    public static int payloadLength(ByteBuffer b, int offset, int length) {
        if (length < HEADERS || (b.get(offset) & 0xff) != 0x45 || b.get(offset + 9) != 17) {
            return -1;
        }
        int total = b.getShort(offset + 2) & 0xffff;
        if (total < HEADERS || total > length || (b.getShort(offset + 6) & 0x3fff) != 0
                || checksum(b, offset, 20) != 0) {
            return -1;
        }
        int udp = b.getShort(offset + 24) & 0xffff;
        if (udp != total - 20) {
            return -1;
        }
        return udp - 8;
    }

    /** The destination port of a packet {@link #payloadLength} accepted. */
    public static int dstPort(ByteBuffer b, int offset) {
        return b.getShort(offset + 22) & 0xffff;
    }

    /** The source port of a packet {@link #payloadLength} accepted. */
    public static int srcPort(ByteBuffer b, int offset) {
        return b.getShort(offset + 20) & 0xffff;
    }
}
