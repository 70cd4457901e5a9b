package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.CMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.CMSG_DATA_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.CMSG_INT_DATA;
import static io.switchyard.io.linux.LinuxStructs.CMSG_LEN;
import static io.switchyard.io.linux.LinuxStructs.CMSG_LEVEL;
import static io.switchyard.io.linux.LinuxStructs.CMSG_TYPE;
import static io.switchyard.io.linux.LinuxStructs.CMSG_U16_DATA;
import static io.switchyard.io.linux.LinuxStructs.EE_CODE;
import static io.switchyard.io.linux.LinuxStructs.EE_DATA;
import static io.switchyard.io.linux.LinuxStructs.EE_ERRNO;
import static io.switchyard.io.linux.LinuxStructs.EE_INFO;
import static io.switchyard.io.linux.LinuxStructs.EE_ORIGIN;
import static io.switchyard.io.linux.LinuxStructs.cmsgAlign;
import static io.switchyard.io.linux.LinuxStructs.cmsgLen;

import io.switchyard.io.linux.Linux;
import java.lang.foreign.MemorySegment;

/**
 * The control messages (cmsg) the transports read and write, in place and without allocation,
 * through the layouts of {@link io.switchyard.io.linux.LinuxStructs}; written once for the epoll
 * socket (a recvmmsg slot's control area), the io_uring socket (the control area inside each
 * provided buffer) and the error-queue reader. One method per purpose:
 * <ul>
 *   <li>{@link #groSegment}: the UDP_GRO segment size of a received slot;</li>
 *   <li>{@link #rxqOverflow}: the socket's cumulative drop count (SO_RXQ_OVFL);</li>
 *   <li>{@link #extendedErrors}: the IP_RECVERR / IPV6_RECVERR records of an error-queue message;</li>
 *   <li>{@link #initUdpSegment} and {@link #udpSegment}: the UDP_SEGMENT cmsg of a GSO send.</li>
 * </ul>
 *
 * <p>A walk trusts only what fits: a header shorter than {@code cmsghdr}, or one reaching past
 * the control length the kernel reported, ends it (with MSG_CTRUNC the kernel cuts the last
 * message short; what follows it is not a message). Control areas are 8-aligned, as the kernel
 * lays them out ({@code CMSG_ALIGN}).
 */
final class ControlMessages {
    private ControlMessages() {}

    /**
     * The UDP_GRO segment size among the control messages at {@code [offset, offset + length)}
     * of {@code control}: the length of each datagram GRO coalesced into the slot (the last may
     * be shorter), or 0 when there is none (the slot holds one datagram).
     */
    static int groSegment(MemorySegment control, long offset, long length) {
        long at = find(control, offset, length, Linux.SOL_UDP, Linux.UDP_GRO);
        return at < 0 ? 0 : (int) CMSG_INT_DATA.get(control, at);
    }

    /**
     * The SO_RXQ_OVFL count among the control messages at {@code [offset, offset + length)}: how
     * many datagrams the socket had dropped on a full receive queue when this one was queued
     * (cumulative, an unsigned 32-bit count); -1 when absent (the kernel attaches it only once
     * the count is not 0).
     */
    static long rxqOverflow(MemorySegment control, long offset, long length) {
        long at = find(control, offset, length, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL);
        return at < 0 ? -1 : Integer.toUnsignedLong((int) CMSG_INT_DATA.get(control, at));
    }

    /**
     * Passes each IP_RECVERR / IPV6_RECVERR record ({@code sock_extended_err}) among the control
     * messages at {@code [0, length)} of {@code control} to {@code sink}, and counts those of
     * origin SO_EE_ORIGIN_ZEROCOPY in {@link IoCounter#ZEROCOPY_COMPLETIONS}. Returns the number
     * of records. A dual-stack socket reports IPv4 errors as IP_RECVERR, so both levels count.
     */
    static int extendedErrors(MemorySegment control, long length, ErrorQueueSink sink, IoCounters counters) {
        int records = 0;
        long off = 0;
        while (off + CMSGHDR.byteSize() <= length) {
            long cl = (long) CMSG_LEN.get(control, off);
            if (cl < CMSGHDR.byteSize() || off + cl > length) {
                break;
            }
            int level = (int) CMSG_LEVEL.get(control, off);
            int type = (int) CMSG_TYPE.get(control, off);
            if ((level == Linux.SOL_IP && type == Linux.IP_RECVERR)
                    || (level == Linux.SOL_IPV6 && type == Linux.IPV6_RECVERR)) {
                long ee = off + CMSG_DATA_OFFSET;
                int origin = Byte.toUnsignedInt((byte) EE_ORIGIN.get(control, ee));
                sink.onRecord(origin, (int) EE_ERRNO.get(control, ee),
                        Byte.toUnsignedInt((byte) EE_CODE.get(control, ee)),
                        (int) EE_INFO.get(control, ee), (int) EE_DATA.get(control, ee));
                records++;
                if (origin == Linux.SO_EE_ORIGIN_ZEROCOPY) {
                    counters.add(IoCounter.ZEROCOPY_COMPLETIONS, 1);
                }
            }
            off += cmsgAlign(cl);
        }
        return records;
    }

    /**
     * Writes the header of a UDP_SEGMENT cmsg at the start of {@code control}
     * ({@code CMSG_SPACE(2)} bytes): once per buffer, since only the segment size changes.
     */
    static void initUdpSegment(MemorySegment control) {
        CMSG_LEN.set(control, 0L, cmsgLen(Short.BYTES));
        CMSG_LEVEL.set(control, 0L, Linux.SOL_UDP);
        CMSG_TYPE.set(control, 0L, Linux.UDP_SEGMENT);
    }

    /** Sets the segment size of the UDP_SEGMENT cmsg {@link #initUdpSegment} wrote. */
    static void udpSegment(MemorySegment control, int segmentSize) {
        CMSG_U16_DATA.set(control, 0L, (short) segmentSize);
    }

    /**
     * Where the first cmsg of {@code level} and {@code type} starts, or -1. Its payload is read
     * through the layout of that message ({@code CMSG_INT} here).
     */
    private static long find(MemorySegment control, long offset, long length, int level, int type) {
        long off = 0;
        while (off + CMSGHDR.byteSize() <= length) {
            long c = offset + off;
            long cl = (long) CMSG_LEN.get(control, c);
            if (cl < CMSGHDR.byteSize() || off + cl > length) {
                return -1;
            }
            if ((int) CMSG_LEVEL.get(control, c) == level && (int) CMSG_TYPE.get(control, c) == type) {
                return c;
            }
            off += cmsgAlign(cl);
        }
        return -1;
    }
}
