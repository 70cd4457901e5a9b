package io.switchyard.io;

/** Things the platform may or may not offer; see {@link Capabilities}. */
public enum Capability {
    /** The Linux FFM transport (recvmmsg/sendmmsg, epoll readiness). */
    NATIVE,
    /** UDP generic segmentation offload on send (UDP_SEGMENT). */
    GSO,
    /** UDP generic receive offload (UDP_GRO). */
    GRO,
    /** MSG_ZEROCOPY sends with completions on the error queue (SO_ZEROCOPY). */
    ZEROCOPY,
    /** Kernel receive-queue drop counter (SO_RXQ_OVFL). */
    RXQ_OVERFLOW,
    /**
     * The io_uring transport ({@link Transport#URING}): io_uring_setup allowed, provided-buffer
     * rings and multishot recvmsg working (probed with a real datagram), SENDMSG/RECVMSG opcodes.
     */
    IO_URING
}
