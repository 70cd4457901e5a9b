package io.switchyard.io;

/** Which datagram transport to use. */
public enum Transport {
    /** Linux native (FFM) where available, NIO otherwise. */
    AUTO,
    /** Linux native through FFM; fails to open where unavailable. */
    NATIVE,
    /** Portable {@code java.nio} DatagramChannel. */
    NIO,
    /**
     * Linux io_uring through FFM: multishot recvmsg into a provided-buffer ring, linked sendmsg
     * submissions, SENDMSG_ZC; fails to open where {@link Capability#IO_URING} is unavailable.
     * Never chosen by {@link #AUTO}.
     */
    URING
}
