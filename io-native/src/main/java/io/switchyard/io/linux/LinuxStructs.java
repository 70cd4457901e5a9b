package io.switchyard.io.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ======================================================================================
 *  THE NATIVE SIDE DEPENDS ON EVERY BYTE IN THIS FILE. x86_64 / aarch64 Linux, glibc (LP64).
 * ======================================================================================
 *
 * <p>One {@link MemoryLayout} per kernel struct, and the VarHandles derived from it. Nothing
 * else in the module writes a raw struct offset; if a size or offset here is wrong, the kernel
 * reads garbage, so {@code LinuxStructsTest} pins each size and offset to the ABI
 * (see design.md, "Syscall facts").
 *
 * <p>Pointer fields are declared as {@code JAVA_LONG} rather than {@code ADDRESS}: the hot path
 * stores {@code segment.address() + offset}, and an {@code ADDRESS} field would need a
 * {@code MemorySegment} object for every store.
 *
 * <p>Every VarHandle takes {@code (MemorySegment, long baseOffset)}; the base offset is where the
 * struct starts (for arrays: {@code index * LAYOUT.byteSize()}).
 */
public final class LinuxStructs {
    private LinuxStructs() {}

    /** {@code struct iovec} (16 bytes). */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");
    public static final VarHandle IOV_BASE = vh(IOVEC, "iov_base");
    public static final VarHandle IOV_LEN = vh(IOVEC, "iov_len");

    /** {@code struct msghdr} (56 bytes). */
    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            JAVA_LONG.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");
    public static final VarHandle MSG_NAME = vh(MSGHDR, "msg_name");
    public static final VarHandle MSG_NAMELEN = vh(MSGHDR, "msg_namelen");
    public static final VarHandle MSG_IOV = vh(MSGHDR, "msg_iov");
    public static final VarHandle MSG_IOVLEN = vh(MSGHDR, "msg_iovlen");
    public static final VarHandle MSG_CONTROL = vh(MSGHDR, "msg_control");
    public static final VarHandle MSG_CONTROLLEN = vh(MSGHDR, "msg_controllen");
    public static final VarHandle MSG_FLAGS = vh(MSGHDR, "msg_flags");

    /** {@code struct mmsghdr} (64 bytes): a msghdr and the byte count the kernel fills in. */
    public static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4)).withName("mmsghdr");
    public static final VarHandle MMSG_LEN = vh(MMSGHDR, "msg_len");
    /** Offset of the embedded msghdr (0, but say so rather than assume it). */
    public static final long MMSG_HDR_OFFSET = MMSGHDR.byteOffset(groupElement("msg_hdr"));

    /** {@code struct cmsghdr} header (16 bytes); the payload starts at {@link #CMSG_DATA_OFFSET}. */
    public static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");
    public static final VarHandle CMSG_LEN = vh(CMSGHDR, "cmsg_len");
    public static final VarHandle CMSG_LEVEL = vh(CMSGHDR, "cmsg_level");
    public static final VarHandle CMSG_TYPE = vh(CMSGHDR, "cmsg_type");
    public static final long CMSG_DATA_OFFSET = CMSGHDR.byteSize();
    public static final long CMSG_ALIGN = 8;

    /**
     * A control message with a 4-byte payload ({@code CMSG_SPACE(4)}, 24 bytes): UDP_GRO carries
     * the segment size (an int), SO_RXQ_OVFL the socket's cumulative drop count (a u32).
     */
    public static final StructLayout CMSG_INT = MemoryLayout.structLayout(
            CMSGHDR.withName("hdr"),
            JAVA_INT.withName("data"),
            MemoryLayout.paddingLayout(4)).withName("cmsg_int");
    public static final VarHandle CMSG_INT_DATA = vh(CMSG_INT, "data");

    /**
     * A control message with a u16 payload ({@code CMSG_SPACE(2)}, 24 bytes; {@code cmsg_len}
     * is {@code CMSG_LEN(2)}, 18): UDP_SEGMENT, the GSO segment size of a send.
     */
    public static final StructLayout CMSG_U16 = MemoryLayout.structLayout(
            CMSGHDR.withName("hdr"),
            JAVA_SHORT.withName("data"),
            MemoryLayout.paddingLayout(6)).withName("cmsg_u16");
    public static final VarHandle CMSG_U16_DATA = vh(CMSG_U16, "data");

    /** CMSG_ALIGN(n). */
    public static long cmsgAlign(long n) {
        return (n + CMSG_ALIGN - 1) & -CMSG_ALIGN;
    }

    /** CMSG_SPACE(payload). */
    public static long cmsgSpace(long payload) {
        return CMSG_DATA_OFFSET + cmsgAlign(payload);
    }

    /** CMSG_LEN(payload). */
    public static long cmsgLen(long payload) {
        return CMSG_DATA_OFFSET + payload;
    }

    private static final ValueLayout.OfShort BE_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_in} (16 bytes); port and address in network order. */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            BE_SHORT.withName("sin_port"),
            BE_INT.withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");
    public static final VarHandle SIN_FAMILY = vh(SOCKADDR_IN, "sin_family");
    public static final VarHandle SIN_PORT = vh(SOCKADDR_IN, "sin_port");
    public static final long SIN_ADDR_OFFSET = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));

    /** {@code struct sockaddr_in6} (28 bytes). */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            BE_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");
    public static final VarHandle SIN6_FAMILY = vh(SOCKADDR_IN6, "sin6_family");
    public static final VarHandle SIN6_PORT = vh(SOCKADDR_IN6, "sin6_port");
    public static final VarHandle SIN6_FLOWINFO = vh(SOCKADDR_IN6, "sin6_flowinfo");
    public static final VarHandle SIN6_SCOPE_ID = vh(SOCKADDR_IN6, "sin6_scope_id");
    public static final long SIN6_ADDR_OFFSET = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));

    /**
     * An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2) as it sits in
     * {@code sin6_addr}: 80 zero bits, 16 one bits, then the IPv4 address in network order. A
     * dual-stack socket reports IPv4 peers so and needs IPv4 destinations so.
     */
    public static final StructLayout IN6_ADDR_V4MAPPED = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(10, JAVA_BYTE).withName("zero"),
            JAVA_SHORT.withName("ffff"),
            BE_INT.withName("v4")).withName("in6_addr_v4mapped");
    /** Where the 0xffff marker of an IPv4-mapped address sits in a sockaddr_in6. */
    public static final long SIN6_V4MAPPED_MARK_OFFSET =
            SIN6_ADDR_OFFSET + IN6_ADDR_V4MAPPED.byteOffset(groupElement("ffff"));
    /** Where the IPv4 address of an IPv4-mapped address sits in a sockaddr_in6. */
    public static final long SIN6_V4MAPPED_V4_OFFSET =
            SIN6_ADDR_OFFSET + IN6_ADDR_V4MAPPED.byteOffset(groupElement("v4"));

    /** {@code struct sock_extended_err} (16 bytes), the payload of an IP_RECVERR / IPV6_RECVERR cmsg. */
    public static final StructLayout SOCK_EXTENDED_ERR = MemoryLayout.structLayout(
            JAVA_INT.withName("ee_errno"),
            JAVA_BYTE.withName("ee_origin"),
            JAVA_BYTE.withName("ee_type"),
            JAVA_BYTE.withName("ee_code"),
            JAVA_BYTE.withName("ee_pad"),
            JAVA_INT.withName("ee_info"),
            JAVA_INT.withName("ee_data")).withName("sock_extended_err");
    public static final VarHandle EE_ERRNO = vh(SOCK_EXTENDED_ERR, "ee_errno");
    public static final VarHandle EE_ORIGIN = vh(SOCK_EXTENDED_ERR, "ee_origin");
    public static final VarHandle EE_TYPE = vh(SOCK_EXTENDED_ERR, "ee_type");
    public static final VarHandle EE_CODE = vh(SOCK_EXTENDED_ERR, "ee_code");
    public static final VarHandle EE_INFO = vh(SOCK_EXTENDED_ERR, "ee_info");
    public static final VarHandle EE_DATA = vh(SOCK_EXTENDED_ERR, "ee_data");

    /**
     * {@code struct epoll_event} (12 bytes): PACKED on x86_64 ({@code __EPOLL_PACKED}), so the
     * 64-bit data field sits at offset 4, unaligned. (On aarch64 it is not packed: 16 bytes.)
     */
    public static final StructLayout EPOLL_EVENT = MemoryLayout.structLayout(
            JAVA_INT_UNALIGNED.withName("events"),
            JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");
    public static final VarHandle EPOLL_EVENTS = vh(EPOLL_EVENT, "events");
    public static final VarHandle EPOLL_DATA = vh(EPOLL_EVENT, "data");

    /** Bytes reserved per socket address: sockaddr_in6 rounded up to 8. */
    public static final long SOCKADDR_STORAGE = 32;

    private static VarHandle vh(StructLayout layout, String field) {
        return layout.varHandle(groupElement(field));
    }
}
