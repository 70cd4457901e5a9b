package io.switchyard.router.client;

import java.nio.ByteBuffer;

/**
 * Inner IPv4/UDP packets as client mode sends and receives them (no TUN: the program speaks UDP
 * inside the tunnel). Writes the IPv4 header with a correct header checksum and a UDP header with
 * checksum 0 ("none", allowed for UDP over IPv4 by RFC 768); parses the reverse and refuses
 * anything that is not a well-formed, unfragmented IPv4 UDP packet.
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
