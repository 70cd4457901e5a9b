package io.switchyard.io.macos;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * ======================================================================================
 *  macOS (Darwin, LP64: arm64 and x86_64) STRUCT LAYOUTS. UNTESTED ON HARDWARE.
 * ======================================================================================
 *
 * <p>Written from the documented ABI (xnu {@code bsd/sys/socket.h} for {@code msghdr_x},
 * {@code bsd/sys/event.h} for {@code struct kevent}, {@code netinet/in.h}) and checked only by
 * {@code DarwinStructsTest} against those headers' sizes and offsets; no Mac ran this code.
 * Differences from Linux that matter: {@code msg_iovlen} and {@code msg_controllen} are 32-bit,
 * so {@code msghdr} is 48 bytes, not 56; sockaddrs start with a length byte; {@code msghdr_x}
 * appends {@code size_t msg_datalen} (bytes received per message for {@code recvmsg_x}).
 * There is no SO_RXQ_OVFL, no GSO/GRO.
 */
public final class DarwinStructs {
    private DarwinStructs() {}

    /** {@code struct iovec} (16). */
    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");

    /** {@code struct msghdr_x} (56): msghdr with 32-bit counts, plus msg_datalen. */
    public static final StructLayout MSGHDR_X = MemoryLayout.structLayout(
            JAVA_LONG.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_iov"),
            JAVA_INT.withName("msg_iovlen"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("msg_control"),
            JAVA_INT.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            JAVA_LONG.withName("msg_datalen")).withName("msghdr_x");
    public static final VarHandle MSG_NAME = vh(MSGHDR_X, "msg_name");
    public static final VarHandle MSG_NAMELEN = vh(MSGHDR_X, "msg_namelen");
    public static final VarHandle MSG_IOV = vh(MSGHDR_X, "msg_iov");
    public static final VarHandle MSG_IOVLEN = vh(MSGHDR_X, "msg_iovlen");
    public static final VarHandle MSG_CONTROL = vh(MSGHDR_X, "msg_control");
    public static final VarHandle MSG_CONTROLLEN = vh(MSGHDR_X, "msg_controllen");
    public static final VarHandle MSG_FLAGS = vh(MSGHDR_X, "msg_flags");
    public static final VarHandle MSG_DATALEN = vh(MSGHDR_X, "msg_datalen");

    /** {@code struct kevent} (32) on LP64. */
    public static final StructLayout KEVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ident"),
            JAVA_SHORT.withName("filter"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("fflags"),
            JAVA_LONG.withName("data"),
            JAVA_LONG.withName("udata")).withName("kevent");
    public static final VarHandle KEV_IDENT = vh(KEVENT, "ident");
    public static final VarHandle KEV_FILTER = vh(KEVENT, "filter");
    public static final VarHandle KEV_FLAGS = vh(KEVENT, "flags");
    public static final VarHandle KEV_DATA = vh(KEVENT, "data");
    public static final VarHandle KEV_UDATA = vh(KEVENT, "udata");

    private static final ValueLayout.OfShort BE_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct sockaddr_in} (16): BSD style, length byte first. */
    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_BYTE.withName("sin_len"),
            JAVA_BYTE.withName("sin_family"),
            BE_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    /** {@code struct sockaddr_in6} (28). */
    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_BYTE.withName("sin6_len"),
            JAVA_BYTE.withName("sin6_family"),
            BE_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    // Constants (xnu headers).
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 30;
    public static final short EVFILT_READ = -1;
    public static final short EVFILT_WRITE = -2;
    public static final short EV_ADD = 0x0001;
    public static final short EV_DELETE = 0x0002;
    public static final short EV_CLEAR = 0x0020;
    public static final int MSG_DONTWAIT = 0x80;
    public static final int EAGAIN = 35;

    private static VarHandle vh(StructLayout layout, String field) {
        return layout.varHandle(groupElement(field));
    }
}
