package io.switchyard.zerocopy;

/** What one {@link ZerocopyChannel#send} did. */
public enum SendStatus {
    /** The kernel took the message (a zerocopy send consumed one send id). */
    SENT,
    /** Sent, but by copy although zerocopy was asked (no send id taken): buffers are free now. */
    SENT_BY_COPY,
    /** EAGAIN: the send buffer is full; nothing was sent, try again when writable. */
    WOULD_BLOCK,
    /** ENOBUFS: for a zerocopy send, the optmem limit; nothing was sent. */
    NO_BUFFERS,
    /** Any other error: nothing was sent and retrying the same batch will not help. */
    FAILED
}
