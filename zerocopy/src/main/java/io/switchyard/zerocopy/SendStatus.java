package io.switchyard.zerocopy;

/** What one {@link ZerocopyChannel#send} did. */
public enum SendStatus {
    /** The kernel took the message (a zerocopy send consumed one send id). */
    SENT,
    /** Sent, but by copy although zerocopy was asked (no send id taken): buffers are free now. */
    SENT_BY_COPY,
    /**
     * A copying send the kernel took only in part (GSO off or downgraded, so the batch went
     * datagram by datagram, and the send buffer filled up): the first datagrams are gone, the
     * rest were not sent and will not be; {@link ZerocopyChannel#unsentDatagrams()} says how
     * many, for the tracker to count. The buffers are free now.
     */
    SENT_IN_PART,
    /** EAGAIN: the send buffer is full; nothing was sent, try again when writable. */
    WOULD_BLOCK,
    /** ENOBUFS: for a zerocopy send, the optmem limit; nothing was sent. */
    NO_BUFFERS,
    /** Any other error: nothing was sent and retrying the same batch will not help. */
    FAILED
}
