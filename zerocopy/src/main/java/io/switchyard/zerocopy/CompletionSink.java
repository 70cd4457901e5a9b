package io.switchyard.zerocopy;

/**
 * Receives the error-queue entries of a socket, one call per {@code struct sock_extended_err},
 * field by field so that nothing is allocated per entry.
 *
 * <p>For a MSG_ZEROCOPY completion {@code origin} is {@link #ORIGIN_ZEROCOPY}, {@code errno} is
 * 0, and the entry says that the sends numbered {@code info} through {@code data} (inclusive,
 * unsigned 32-bit, possibly wrapping past 2^32) are done with their buffers. {@code code} has
 * {@link #CODE_ZEROCOPY_COPIED} set when the kernel copied the data after all. The kernel merges
 * consecutive completions into one range while the entry waits in the queue, and completes
 * sends out of order when their packets leave out of order.
 */
@FunctionalInterface
public interface CompletionSink {
    /** {@code SO_EE_ORIGIN_ZEROCOPY}. */
    int ORIGIN_ZEROCOPY = 5;
    /** {@code SO_EE_CODE_ZEROCOPY_COPIED}. */
    int CODE_ZEROCOPY_COPIED = 1;

    /**
     * One error-queue entry.
     *
     * @param origin {@code ee_origin}
     * @param errno  {@code ee_errno}
     * @param code   {@code ee_code}
     * @param info   {@code ee_info}: first send id of a zerocopy range
     * @param data   {@code ee_data}: last send id of a zerocopy range (inclusive)
     */
    void onErrorQueueEntry(int origin, int errno, int code, int info, int data);
}
