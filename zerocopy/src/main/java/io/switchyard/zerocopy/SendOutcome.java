package io.switchyard.zerocopy;

/**
 * What {@link ZerocopyCompletionTracker#send} did with a batch, and so who owns its buffers.
 */
public enum SendOutcome {
    /** Sent with MSG_ZEROCOPY; the tracker holds the buffers until the kernel completes them. */
    SENT_ZEROCOPY,
    /** Sent by copying; the buffers are already back in their pool. */
    SENT_COPY,
    /** Nothing sent (EAGAIN); the caller still owns the batch and may retry when writable. */
    WOULD_BLOCK,
    /** Nothing sent and nothing will be (send failed, or tracker closed); buffers released, counted. */
    DROPPED
}
