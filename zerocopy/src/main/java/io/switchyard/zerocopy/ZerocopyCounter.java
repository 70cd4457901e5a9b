package io.switchyard.zerocopy;

import io.switchyard.counters.CounterDescriptor;

/**
 * Everything the buffer pools and completion trackers count. Ids are stable (they appear in
 * metrics output); never renumber, only append.
 */
public enum ZerocopyCounter implements CounterDescriptor {
    /** Acquire found the pool empty; the caller dropped instead of allocating. */
    POOL_EXHAUSTED(1, "pool exhausted: packet dropped"),
    /** A slot was released while not held. The pool state is unchanged. */
    DOUBLE_RELEASE(2, "buffer released twice"),
    /** A buffer was released to a pool it does not belong to. */
    FOREIGN_RELEASE(3, "buffer released to the wrong pool"),
    /** Sends made with MSG_ZEROCOPY that the kernel accepted (one kernel send id each). */
    ZEROCOPY_SENDS(4, "zerocopy sends"),
    /** Sends made by copying (small, backed off, fallback). */
    COPY_SENDS(5, "copying sends"),
    /** Zerocopy completion notifications read from the error queue (one per range). */
    COMPLETIONS(6, "zerocopy completion notifications"),
    /** Send ids completed without a copy: zerocopy paid. */
    COMPLETED_ZEROCOPY(7, "sends completed zerocopy"),
    /** Send ids completed with SO_EE_CODE_ZEROCOPY_COPIED: the kernel copied anyway. */
    COMPLETED_COPIED(8, "sends completed copied by the kernel"),
    /** ENOBUFS on a zerocopy send (optmem limit); the same batch was resent by copying. */
    ENOBUFS_FALLBACK(9, "zerocopy ENOBUFS, resent by copying"),
    /** Too many sends awaiting completion; this one was sent by copying. */
    WINDOW_FULL_FALLBACK(10, "zerocopy window full, sent by copying"),
    /** The COPIED ratio said zerocopy does not pay; the socket stopped using it for a while. */
    BACKOFFS(11, "zerocopy backed off (kernel kept copying)"),
    /** Zerocopy tried again after a back-off. */
    REPROBES(12, "zerocopy re-probed"),
    /** SO_ZEROCOPY was refused; the socket sends by copying for good. */
    UNAVAILABLE(13, "zerocopy unavailable on socket"),
    /** Completion ids outside the outstanding window (stale or never sent); ignored. */
    UNKNOWN_COMPLETION_IDS(14, "completion ids not outstanding"),
    /** Completion ids for sends already completed; ignored. */
    DUPLICATE_COMPLETION_IDS(15, "completion ids completed twice"),
    /** A malformed zerocopy notification (errno set, or a reversed range); ignored. */
    INVALID_COMPLETIONS(16, "malformed zerocopy notifications"),
    /** Error-queue entries of another origin (ICMP, local); not ours to interpret. */
    OTHER_ERROR_QUEUE_ENTRIES(17, "non-zerocopy error queue entries"),
    /** A send failed for good (neither zerocopy nor copy went out); the batch was dropped. */
    SEND_FAILED(18, "send failed: batch dropped"),
    /** A send after the tracker was closed; the batch was dropped. */
    SEND_AFTER_CLOSE(19, "send after close: batch dropped"),
    /** Sends still outstanding when the socket was closed, released after the close grace. */
    RELEASED_AFTER_CLOSE(20, "sends released after socket close"),
    /**
     * Datagrams of a copying send that the kernel took only in part (datagram by datagram after
     * a GSO downgrade, the send buffer full): dropped, like a full queue drops.
     */
    UNSENT_DATAGRAMS(21, "datagrams of a partly sent batch: dropped");

    private final int id;
    private final String label;

    ZerocopyCounter(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable numeric id. */
    @Override
    public int id() {
        return id;
    }

    /** Human-readable label. */
    public String label() {
        return label;
    }


    @Override
    public String description() {
        return label;
    }
}
