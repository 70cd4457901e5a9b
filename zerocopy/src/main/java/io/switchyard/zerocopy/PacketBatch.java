package io.switchyard.zerocopy;

/**
 * A reusable, fixed-capacity list of buffers that go out in one send: a single datagram, or the
 * segments of one GSO train (all the same length but the last). The batch itself owns nothing;
 * it carries the buffers its user owns. One batch per sending actor, reused for every send.
 */
public final class PacketBatch {
    private final PacketBuffer[] buffers;
    private int size;

    /** A batch holding at most {@code capacity} buffers (64 is the GSO segment limit). */
    public PacketBatch(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        buffers = new PacketBuffer[capacity];
    }

    /** Appends a buffer; returns false (and appends nothing) when the batch is full. */
    public boolean add(PacketBuffer buffer) {
        if (size == buffers.length) {
            return false;
        }
        buffers[size++] = buffer;
        return true;
    }

    /** The {@code i}-th buffer, in send order. */
    public PacketBuffer get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return buffers[i];
    }

    /** Number of buffers. */
    public int size() {
        return size;
    }

    /** Maximum number of buffers. */
    public int capacity() {
        return buffers.length;
    }

    /** True when there is nothing to send. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Sum of the buffers' lengths: the payload bytes of the send. */
    public long byteCount() {
        long bytes = 0;
        for (int i = 0; i < size; i++) {
            bytes += buffers[i].length();
        }
        return bytes;
    }

    /** Forgets the buffers without releasing them (their ownership moved elsewhere). */
    public void clear() {
        for (int i = 0; i < size; i++) {
            buffers[i] = null;
        }
        size = 0;
    }

    /** Releases every buffer to its pool and empties the batch. */
    public void releaseAll() {
        for (int i = 0; i < size; i++) {
            PacketBuffer b = buffers[i];
            buffers[i] = null;
            b.release();
        }
        size = 0;
    }
}
