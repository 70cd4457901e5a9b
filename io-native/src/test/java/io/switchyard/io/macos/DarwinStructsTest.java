package io.switchyard.io.macos;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/**
 * The macOS layouts against the documented LP64 ABI (xnu headers). This is all the checking the
 * macOS path has: it cannot run here.
 */
class DarwinStructsTest {
    private static void offset(StructLayout l, String field, long expected) {
        assertEquals(expected, l.byteOffset(groupElement(field)), l.name().orElse("?") + "." + field);
    }

    @Test
    void msghdrX() {
        StructLayout m = DarwinStructs.MSGHDR_X;
        assertEquals(56, m.byteSize());
        offset(m, "msg_name", 0);
        offset(m, "msg_namelen", 8);
        offset(m, "msg_iov", 16);
        offset(m, "msg_iovlen", 24);
        offset(m, "msg_control", 32);
        offset(m, "msg_controllen", 40);
        offset(m, "msg_flags", 44);
        offset(m, "msg_datalen", 48);
    }

    @Test
    void kevent() {
        StructLayout k = DarwinStructs.KEVENT;
        assertEquals(32, k.byteSize());
        offset(k, "ident", 0);
        offset(k, "filter", 8);
        offset(k, "flags", 10);
        offset(k, "fflags", 12);
        offset(k, "data", 16);
        offset(k, "udata", 24);
    }

    @Test
    void bsdSockaddrs() {
        assertEquals(16, DarwinStructs.SOCKADDR_IN.byteSize());
        offset(DarwinStructs.SOCKADDR_IN, "sin_family", 1);
        offset(DarwinStructs.SOCKADDR_IN, "sin_port", 2);
        offset(DarwinStructs.SOCKADDR_IN, "sin_addr", 4);
        assertEquals(28, DarwinStructs.SOCKADDR_IN6.byteSize());
        offset(DarwinStructs.SOCKADDR_IN6, "sin6_family", 1);
        offset(DarwinStructs.SOCKADDR_IN6, "sin6_addr", 8);
        offset(DarwinStructs.SOCKADDR_IN6, "sin6_scope_id", 24);
        assertEquals(16, DarwinStructs.IOVEC.byteSize());
    }

    @Test
    void descriptorsMatchTheCSignatures() {
        assertEquals(4, DarwinCalls.RECVMSG_X.argumentLayouts().size());
        assertEquals(6, DarwinCalls.KEVENT.argumentLayouts().size());
    }
}
