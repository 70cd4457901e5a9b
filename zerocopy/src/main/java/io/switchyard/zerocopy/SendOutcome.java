package io.switchyard.zerocopy;

/**
 * What {@link ZerocopyCompletionTracker#send} did with a batch, and so who owns its buffers.
 */
public enum SendOutcome {
    /** Sent with MSG_ZEROCOPY; the tracker holds the buffers until the kernel completes them. */
    SENT_ZEROCOPY,
    /**
     * Sent by copying; the buffers are already back in their pool. If the kernel took only part
     * of the batch (possible only with GSO off), the rest is counted as
     * {@link ZerocopyCounter#UNSENT_DATAGRAMS}.
     */
    SENT_COPY,
    /** Nothing sent (EAGAIN); the caller still owns the batch and may retry when writable. */
    WOULD_BLOCK,
    /** Nothing sent and nothing will be (send failed, or tracker closed); buffers released, counted. */
    DROPPED
}
