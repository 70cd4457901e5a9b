package io.switchyard.io.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** Pins every struct layout to the x86_64 Linux ABI (design.md "Syscall facts", glibc headers). */
class LinuxStructsTest {
    private static void offset(StructLayout l, String field, long expected) {
        assertEquals(expected, l.byteOffset(groupElement(field)), l.name().orElse("?") + "." + field);
    }

    @Test
    void iovec() {
        assertEquals(16, LinuxStructs.IOVEC.byteSize());
        offset(LinuxStructs.IOVEC, "iov_base", 0);
        offset(LinuxStructs.IOVEC, "iov_len", 8);
    }

    @Test
    void msghdrAndMmsghdr() {
        StructLayout m = LinuxStructs.MSGHDR;
        assertEquals(56, m.byteSize());
        offset(m, "msg_name", 0);
        offset(m, "msg_namelen", 8);
        offset(m, "msg_iov", 16);
        offset(m, "msg_iovlen", 24);
        offset(m, "msg_control", 32);
        offset(m, "msg_controllen", 40);
        offset(m, "msg_flags", 48);
        assertEquals(64, LinuxStructs.MMSGHDR.byteSize());
        offset(LinuxStructs.MMSGHDR, "msg_hdr", 0);
        offset(LinuxStructs.MMSGHDR, "msg_len", 56);
    }

    @Test
    void cmsghdrAndMacros() {
        assertEquals(16, LinuxStructs.CMSGHDR.byteSize());
        offset(LinuxStructs.CMSGHDR, "cmsg_len", 0);
        offset(LinuxStructs.CMSGHDR, "cmsg_level", 8);
        offset(LinuxStructs.CMSGHDR, "cmsg_type", 12);
        assertEquals(18, LinuxStructs.cmsgLen(2), "UDP_SEGMENT cmsg_len");
        assertEquals(24, LinuxStructs.cmsgSpace(2));
        assertEquals(24, LinuxStructs.cmsgSpace(4));
        assertEquals(32, LinuxStructs.cmsgSpace(16));
    }

    @Test
    void controlMessagesWithAPayload() {
        assertEquals(LinuxStructs.cmsgSpace(4), LinuxStructs.CMSG_INT.byteSize());
        offset(LinuxStructs.CMSG_INT, "data", LinuxStructs.CMSG_DATA_OFFSET);
        assertEquals(LinuxStructs.cmsgSpace(2), LinuxStructs.CMSG_U16.byteSize());
        offset(LinuxStructs.CMSG_U16, "data", LinuxStructs.CMSG_DATA_OFFSET);
    }

    @Test
    void sockaddrs() {
        assertEquals(16, LinuxStructs.SOCKADDR_IN.byteSize());
        offset(LinuxStructs.SOCKADDR_IN, "sin_port", 2);
        offset(LinuxStructs.SOCKADDR_IN, "sin_addr", 4);
        assertEquals(28, LinuxStructs.SOCKADDR_IN6.byteSize());
        offset(LinuxStructs.SOCKADDR_IN6, "sin6_port", 2);
        offset(LinuxStructs.SOCKADDR_IN6, "sin6_flowinfo", 4);
        offset(LinuxStructs.SOCKADDR_IN6, "sin6_addr", 8);
        offset(LinuxStructs.SOCKADDR_IN6, "sin6_scope_id", 24);
        assertEquals(16, LinuxStructs.IN6_ADDR_V4MAPPED.byteSize());
        assertEquals(8 + 10, LinuxStructs.SIN6_V4MAPPED_MARK_OFFSET, "::ffff: marker");
        assertEquals(8 + 12, LinuxStructs.SIN6_V4MAPPED_V4_OFFSET, "the IPv4 address");
    }

    @Test
    void sockExtendedErr() {
        StructLayout e = LinuxStructs.SOCK_EXTENDED_ERR;
        assertEquals(16, e.byteSize());
        offset(e, "ee_errno", 0);
        offset(e, "ee_origin", 4);
        offset(e, "ee_type", 5);
        offset(e, "ee_code", 6);
        offset(e, "ee_info", 8);
        offset(e, "ee_data", 12);
    }

    @Test
    void epollEventIsPacked() {
        assertEquals(12, LinuxStructs.EPOLL_EVENT.byteSize());
        offset(LinuxStructs.EPOLL_EVENT, "events", 0);
        offset(LinuxStructs.EPOLL_EVENT, "data", 4);
    }
}
