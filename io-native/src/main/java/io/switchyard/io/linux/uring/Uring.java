package io.switchyard.io.linux.uring;

/**
 * io_uring constants, with the uapi names ({@code include/uapi/linux/io_uring.h}). Only what the
 * datagram transport uses; the numbers are the same on every architecture.
 */
public final class Uring {
    private Uring() {}

    /** System call numbers (unified across architectures since 5.1). */
    public static final long SYS_IO_URING_SETUP = 425;
    public static final long SYS_IO_URING_ENTER = 426;
    public static final long SYS_IO_URING_REGISTER = 427;

    // io_uring_setup(2) flags
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    public static final int IORING_SETUP_CLAMP = 1 << 4;

    // io_uring_params.features
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    public static final int IORING_FEAT_NODROP = 1 << 1;

    // mmap(2) offsets of the three regions
    public static final long IORING_OFF_SQ_RING = 0L;
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    public static final long IORING_OFF_SQES = 0x10000000L;

    // sq_ring->flags
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;

    // cq_ring->flags
    public static final int IORING_CQ_EVENTFD_DISABLED = 1;

    // io_uring_enter(2) flags
    public static final int IORING_ENTER_GETEVENTS = 1;

    // opcodes (enum io_uring_op)
    public static final byte IORING_OP_SENDMSG = 9;
    public static final byte IORING_OP_RECVMSG = 10;
    public static final byte IORING_OP_SENDMSG_ZC = 48;

    // sqe->flags
    /** Not used: linked sends measured slower than independent ones (docs/perf-uring.md). */
    public static final byte IOSQE_IO_LINK = 1 << 2;
    public static final byte IOSQE_BUFFER_SELECT = 1 << 5;

    // sqe->ioprio for send/recv
    public static final short IORING_RECV_MULTISHOT = 1 << 1;
    public static final short IORING_SEND_ZC_REPORT_USAGE = 1 << 3;

    // cqe->flags
    public static final int IORING_CQE_F_BUFFER = 1;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    public static final int IORING_CQE_BUFFER_SHIFT = 16;
    /** Set in a notification's res when IORING_SEND_ZC_REPORT_USAGE was asked and the kernel copied. */
    public static final int IORING_NOTIF_USAGE_ZC_COPIED = 1 << 31;

    // io_uring_register(2) opcodes
    public static final int IORING_REGISTER_EVENTFD = 4;
    public static final int IORING_REGISTER_PROBE = 8;
    public static final int IORING_REGISTER_PBUF_RING = 22;
    public static final int IORING_UNREGISTER_PBUF_RING = 23;

    /** io_uring_probe_op.flags: the opcode is supported. */
    public static final int IO_URING_OP_SUPPORTED = 1;

    /** Where the administrator can turn io_uring off (0 on, 1 root or io_uring_group only, 2 off). */
    public static final String DISABLED_SYSCTL = "/proc/sys/kernel/io_uring_disabled";

    // mmap(2)
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_PRIVATE = 2;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_POPULATE = 0x8000;
    public static final long PAGE = 4096;
}
