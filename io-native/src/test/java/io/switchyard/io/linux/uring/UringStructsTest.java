package io.switchyard.io.linux.uring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** Every io_uring struct size and offset, pinned to include/uapi/linux/io_uring.h (x86_64 and aarch64 agree). */
class UringStructsTest {
    private static long off(StructLayout l, String field) {
        return l.byteOffset(groupElement(field));
    }

    @Test
    void params() {
        assertEquals(40, UringStructs.SQRING_OFFSETS.byteSize());
        assertEquals(40, UringStructs.CQRING_OFFSETS.byteSize());
        assertEquals(120, UringStructs.PARAMS.byteSize());
        assertEquals(20, off(UringStructs.PARAMS, "features"));
        assertEquals(40, UringStructs.SQ_OFF);
        assertEquals(80, UringStructs.CQ_OFF);
        assertEquals(24, off(UringStructs.SQRING_OFFSETS, "array"));
        assertEquals(20, off(UringStructs.CQRING_OFFSETS, "cqes"));
        assertEquals(4, UringStructs.SQ_INDEX.byteSize(), "the SQ index array holds u32s");
    }

    @Test
    void sqeAndCqe() {
        StructLayout s = UringStructs.SQE;
        assertEquals(64, s.byteSize());
        assertEquals(0, off(s, "opcode"));
        assertEquals(1, off(s, "flags"));
        assertEquals(2, off(s, "ioprio"));
        assertEquals(4, off(s, "fd"));
        assertEquals(8, off(s, "off"));
        assertEquals(16, off(s, "addr"));
        assertEquals(24, off(s, "len"));
        assertEquals(28, off(s, "msg_flags"));
        assertEquals(32, off(s, "user_data"));
        assertEquals(40, off(s, "buf_group"));
        assertEquals(42, off(s, "personality"));
        assertEquals(44, off(s, "file_index"));
        assertEquals(48, off(s, "addr3"));
        assertEquals(16, UringStructs.CQE.byteSize());
        assertEquals(8, off(UringStructs.CQE, "res"));
        assertEquals(12, off(UringStructs.CQE, "flags"));
    }

    @Test
    void bufferRingAndRecvmsgOut() {
        assertEquals(16, UringStructs.BUF.byteSize());
        assertEquals(12, off(UringStructs.BUF, "bid"));
        assertEquals(14, UringStructs.BUF_RING_TAIL_OFFSET, "the ring tail overlays bufs[0].resv");
        assertEquals(40, UringStructs.BUF_REG.byteSize());
        assertEquals(12, off(UringStructs.BUF_REG, "bgid"));
        assertEquals(16, UringStructs.RECVMSG_OUT.byteSize());
        assertEquals(8, off(UringStructs.RECVMSG_OUT, "payloadlen"));
        assertEquals(16, UringStructs.PROBE.byteSize());
        assertEquals(8, UringStructs.PROBE_OP.byteSize());
        assertEquals(2, off(UringStructs.PROBE_OP, "flags"));
    }

    @Test
    void opcodesMatchTheUapiEnum() {
        assertEquals(9, Uring.IORING_OP_SENDMSG);
        assertEquals(10, Uring.IORING_OP_RECVMSG);
        assertEquals(48, Uring.IORING_OP_SENDMSG_ZC);
        assertEquals(22, Uring.IORING_REGISTER_PBUF_RING);
    }
}
