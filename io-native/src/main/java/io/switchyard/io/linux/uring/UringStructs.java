package io.switchyard.io.linux.uring;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * ======================================================================================
 *  THE KERNEL READS AND WRITES EVERY BYTE IN THIS FILE. io_uring uapi, LP64 Linux.
 * ======================================================================================
 *
 * <p>One {@link MemoryLayout} per io_uring struct ({@code include/uapi/linux/io_uring.h}) and the
 * VarHandles derived from it; nothing else in the module writes a raw io_uring offset.
 * {@code UringStructsTest} pins every size and offset. Pointers are {@code JAVA_LONG} (as in
 * {@code LinuxStructs}): the hot path stores {@code address + offset} without a segment object.
 * Every VarHandle takes {@code (MemorySegment, long baseOffset)}.
 *
 * <p>The ring heads and tails are not here: the kernel tells their offsets at setup
 * ({@link #SQ_OFF} / {@link #CQ_OFF} in {@link #PARAMS}), and {@code Ring} reads and writes them
 * through {@code JAVA_INT} VarHandles with acquire/release ordering.
 */
public final class UringStructs {
    private UringStructs() {}

    /** {@code struct io_sqring_offsets} (40 bytes). */
    public static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr")).withName("io_sqring_offsets");

    /** {@code struct io_cqring_offsets} (40 bytes). */
    public static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"),
            JAVA_INT.withName("tail"),
            JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"),
            JAVA_INT.withName("overflow"),
            JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resv1"),
            JAVA_LONG.withName("user_addr")).withName("io_cqring_offsets");

    /**
     * One entry of the SQ ring's index array (a u32 at {@code sq_off.array}): entry i names the
     * SQE that SQ slot i submits.
     */
    public static final ValueLayout.OfInt SQ_INDEX = JAVA_INT.withName("sq_array_entry");

    /** {@code struct io_uring_params} (120 bytes), in and out of io_uring_setup(2). */
    public static final StructLayout PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"),
            JAVA_INT.withName("cq_entries"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"),
            JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"),
            JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQRING_OFFSETS.withName("sq_off"),
            CQRING_OFFSETS.withName("cq_off")).withName("io_uring_params");
    public static final VarHandle P_SQ_ENTRIES = vh(PARAMS, "sq_entries");
    public static final VarHandle P_CQ_ENTRIES = vh(PARAMS, "cq_entries");
    public static final VarHandle P_FLAGS = vh(PARAMS, "flags");
    public static final VarHandle P_FEATURES = vh(PARAMS, "features");
    public static final long SQ_OFF = PARAMS.byteOffset(groupElement("sq_off"));
    public static final long CQ_OFF = PARAMS.byteOffset(groupElement("cq_off"));
    public static final VarHandle SQO_HEAD = vh(SQRING_OFFSETS, "head");
    public static final VarHandle SQO_TAIL = vh(SQRING_OFFSETS, "tail");
    public static final VarHandle SQO_RING_MASK = vh(SQRING_OFFSETS, "ring_mask");
    public static final VarHandle SQO_RING_ENTRIES = vh(SQRING_OFFSETS, "ring_entries");
    public static final VarHandle SQO_FLAGS = vh(SQRING_OFFSETS, "flags");
    public static final VarHandle SQO_ARRAY = vh(SQRING_OFFSETS, "array");
    public static final VarHandle CQO_HEAD = vh(CQRING_OFFSETS, "head");
    public static final VarHandle CQO_TAIL = vh(CQRING_OFFSETS, "tail");
    public static final VarHandle CQO_RING_MASK = vh(CQRING_OFFSETS, "ring_mask");
    public static final VarHandle CQO_RING_ENTRIES = vh(CQRING_OFFSETS, "ring_entries");
    public static final VarHandle CQO_OVERFLOW = vh(CQRING_OFFSETS, "overflow");
    public static final VarHandle CQO_CQES = vh(CQRING_OFFSETS, "cqes");
    public static final VarHandle CQO_FLAGS = vh(CQRING_OFFSETS, "flags");

    /**
     * {@code struct io_uring_sqe} (64 bytes), the fields the socket opcodes use; the unions are
     * named after the member we write ({@code msg_flags}, {@code buf_group}).
     */
    public static final StructLayout SQE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"),
            JAVA_LONG.withName("off"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("msg_flags"),
            JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_group"),
            JAVA_SHORT.withName("personality"),
            JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"),
            JAVA_LONG.withName("pad2")).withName("io_uring_sqe");
    public static final VarHandle SQE_OPCODE = vh(SQE, "opcode");
    public static final VarHandle SQE_FLAGS = vh(SQE, "flags");
    public static final VarHandle SQE_IOPRIO = vh(SQE, "ioprio");
    public static final VarHandle SQE_FD = vh(SQE, "fd");
    public static final VarHandle SQE_OFF = vh(SQE, "off");
    public static final VarHandle SQE_ADDR = vh(SQE, "addr");
    public static final VarHandle SQE_LEN = vh(SQE, "len");
    public static final VarHandle SQE_MSG_FLAGS = vh(SQE, "msg_flags");
    public static final VarHandle SQE_USER_DATA = vh(SQE, "user_data");
    public static final VarHandle SQE_BUF_GROUP = vh(SQE, "buf_group");
    public static final VarHandle SQE_PERSONALITY = vh(SQE, "personality");
    public static final VarHandle SQE_FILE_INDEX = vh(SQE, "file_index");
    public static final VarHandle SQE_ADDR3 = vh(SQE, "addr3");
    public static final VarHandle SQE_PAD2 = vh(SQE, "pad2");

    /** {@code struct io_uring_cqe} (16 bytes; no CQE32 rings here). */
    public static final StructLayout CQE = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"),
            JAVA_INT.withName("res"),
            JAVA_INT.withName("flags")).withName("io_uring_cqe");
    public static final VarHandle CQE_USER_DATA = vh(CQE, "user_data");
    public static final VarHandle CQE_RES = vh(CQE, "res");
    public static final VarHandle CQE_FLAGS = vh(CQE, "flags");

    /**
     * {@code struct io_uring_buf} (16 bytes), one entry of a provided-buffer ring. The ring's
     * u16 tail overlays {@code resv} of entry 0 ({@code struct io_uring_buf_ring}): see
     * {@link #BUF_RING_TAIL_OFFSET}.
     */
    public static final StructLayout BUF = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv")).withName("io_uring_buf");
    public static final VarHandle BUF_ADDR = vh(BUF, "addr");
    public static final VarHandle BUF_LEN = vh(BUF, "len");
    public static final VarHandle BUF_BID = vh(BUF, "bid");
    /** The ring tail: {@code resv} of bufs[0], written by us with release ordering. */
    public static final long BUF_RING_TAIL_OFFSET = BUF.byteOffset(groupElement("resv"));

    /** {@code struct io_uring_buf_reg} (40 bytes), the argument of IORING_(UN)REGISTER_PBUF_RING. */
    public static final StructLayout BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"),
            JAVA_INT.withName("ring_entries"),
            JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv")).withName("io_uring_buf_reg");
    public static final VarHandle BR_RING_ADDR = vh(BUF_REG, "ring_addr");
    public static final VarHandle BR_RING_ENTRIES = vh(BUF_REG, "ring_entries");
    public static final VarHandle BR_BGID = vh(BUF_REG, "bgid");

    /**
     * {@code struct io_uring_recvmsg_out} (16 bytes): what a multishot recvmsg writes at the start
     * of each provided buffer, followed by {@code msg_namelen} bytes of source address,
     * {@code msg_controllen} bytes of control messages, then the payload.
     */
    public static final StructLayout RECVMSG_OUT = MemoryLayout.structLayout(
            JAVA_INT.withName("namelen"),
            JAVA_INT.withName("controllen"),
            JAVA_INT.withName("payloadlen"),
            JAVA_INT.withName("flags")).withName("io_uring_recvmsg_out");
    public static final VarHandle RO_NAMELEN = vh(RECVMSG_OUT, "namelen");
    public static final VarHandle RO_CONTROLLEN = vh(RECVMSG_OUT, "controllen");
    public static final VarHandle RO_PAYLOADLEN = vh(RECVMSG_OUT, "payloadlen");
    public static final VarHandle RO_FLAGS = vh(RECVMSG_OUT, "flags");

    /** {@code struct io_uring_probe} header (16 bytes), followed by {@code ops_len} {@link #PROBE_OP}s. */
    public static final StructLayout PROBE = MemoryLayout.structLayout(
            JAVA_BYTE.withName("last_op"),
            JAVA_BYTE.withName("ops_len"),
            JAVA_SHORT.withName("resv"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv2")).withName("io_uring_probe");
    public static final VarHandle PROBE_LAST_OP = vh(PROBE, "last_op");
    public static final VarHandle PROBE_OPS_LEN = vh(PROBE, "ops_len");

    /** {@code struct io_uring_probe_op} (8 bytes). */
    public static final StructLayout PROBE_OP = MemoryLayout.structLayout(
            JAVA_BYTE.withName("op"),
            JAVA_BYTE.withName("resv"),
            JAVA_SHORT.withName("flags"),
            JAVA_INT.withName("resv2")).withName("io_uring_probe_op");
    public static final VarHandle PO_OP = vh(PROBE_OP, "op");
    public static final VarHandle PO_FLAGS = vh(PROBE_OP, "flags");

    private static VarHandle vh(StructLayout layout, String field) {
        return layout.varHandle(groupElement(field));
    }
}
