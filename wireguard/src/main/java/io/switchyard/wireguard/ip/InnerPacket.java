package io.switchyard.wireguard.ip;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Just enough of the IPv4 and IPv6 headers for cryptokey routing: the version, the total length
 * (to trim the padding WireGuard adds) and where the source and destination addresses are.
 * Length-checked against the decrypted bytes; never throws.
 */
public final class InnerPacket {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final int IPV4_HEADER = 20;
    public static final int IPV6_HEADER = 40;
    public static final int V4_SRC = 12;
    public static final int V4_DST = 16;
    public static final int V6_SRC = 8;
    public static final int V6_DST = 24;
    /** IPv4 header fields (RFC 791). */
    public static final int V4_TOTAL_LENGTH = 2;
    public static final int V4_IDENTIFICATION = 4;
    public static final int V4_FLAGS = 6;
    public static final int V4_TTL = 8;
    public static final int V4_PROTOCOL = 9;
    public static final int V4_CHECKSUM = 10;
    /** IPv6 header fields (RFC 8200). */
    public static final int V6_PAYLOAD_LENGTH = 4;
    public static final int V6_NEXT_HEADER = 6;
    public static final int V6_HOP_LIMIT = 7;
    /** ICMP and ICMPv6 header fields (RFC 792, 4443): type, code, checksum, then 4 bytes by type. */
    public static final int ICMP_TYPE = 0;
    public static final int ICMP_CODE = 1;
    public static final int ICMP_CHECKSUM = 2;
    public static final int ICMP_REST = 4;
    public static final int ICMP_HEADER = 8;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_ICMPV6 = 58;

    private InnerPacket() {}

    /**
     * The IP packet's total length if the {@code available} decrypted bytes at {@code at} start
     * with a plausible IPv4 or IPv6 header whose length fits in them, else -1. The version is
     * {@code segment[at] >>> 4}.
     */
    public static int totalLength(MemorySegment segment, long at, int available) {
        if (available < 1) {
            return -1;
        }
        int version = (segment.get(ValueLayout.JAVA_BYTE, at) & 0xff) >>> 4;
        if (version == 4) {
            if (available < IPV4_HEADER) {
                return -1;
            }
            int ihl = (segment.get(ValueLayout.JAVA_BYTE, at) & 0x0f) * 4;
            int total = segment.get(U16, at + V4_TOTAL_LENGTH) & 0xffff;
            return ihl >= IPV4_HEADER && total >= ihl && total <= available ? total : -1;
        }
        if (version == 6) {
            if (available < IPV6_HEADER) {
                return -1;
            }
            int total = IPV6_HEADER + (segment.get(U16, at + V6_PAYLOAD_LENGTH) & 0xffff);
            return total <= available ? total : -1;
        }
        return -1;
    }

    /** Whether the IPv4 packet at {@code at} has the don't-fragment flag set. */
    public static boolean dontFragment(MemorySegment segment, long at) {
        return (segment.get(ValueLayout.JAVA_BYTE, at + V4_FLAGS) & 0x40) != 0;
    }

    public static boolean isIpv4(MemorySegment segment, long at) {
        return (segment.get(ValueLayout.JAVA_BYTE, at) & 0xf0) == 0x40;
    }
}
