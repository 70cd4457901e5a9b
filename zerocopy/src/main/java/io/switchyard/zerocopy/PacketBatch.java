package io.switchyard.zerocopy;

/**
 * A reusable, fixed-capacity list of buffers that go out in one send: a single datagram, the
 * segments of one GSO train (all the same length but the last, one buffer each), or one large
 * buffer cut into a train of a given segment size ({@link #addTrain}). The batch itself owns
 * nothing; it carries the buffers its user owns. One batch per sending actor, reused for every
 * send.
 */
public final class PacketBatch {
    private final PacketBuffer[] buffers;
    private int size;
    /** Non-zero: the only buffer is a train of datagrams of this many bytes. */
    private int segmentSize;

    /** A batch holding at most {@code capacity} buffers (64 is the GSO segment limit). */
    public PacketBatch(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        buffers = new PacketBuffer[capacity];
    }

    /**
     * Appends a buffer; returns false (and appends nothing) when the batch is full or holds a
     * train added with {@link #addTrain}.
     */
    public boolean add(PacketBuffer buffer) {
        if (size == buffers.length || segmentSize != 0) {
            return false;
        }
        buffers[size++] = buffer;
        return true;
    }

    /**
     * Makes the batch one GSO train from one contiguous buffer (typically a 64 KiB pool slot):
     * its {@link PacketBuffer#length()} bytes are sent as datagrams of {@code segmentSize} bytes,
     * the last possibly shorter, in one {@code sendmsg} (at most 64 segments and 65,507 bytes).
     * With MSG_ZEROCOPY such a train pins the buffer's pages (16 for a page-aligned 64 KiB slot)
     * instead of one page frag per segment. Returns false (adding nothing) unless the batch is empty.
     */
    public boolean addTrain(PacketBuffer buffer, int segmentSize) {
        if (segmentSize < 1) {
            throw new IllegalArgumentException("segment size must be positive: " + segmentSize);
        }
        if (size != 0) {
            return false;
        }
        buffers[0] = buffer;
        size = 1;
        this.segmentSize = segmentSize;
        return true;
    }

    /** The train's segment size if the batch was made with {@link #addTrain}, else 0. */
    public int segmentSize() {
        return segmentSize;
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
        segmentSize = 0;
    }

    /** Releases every buffer to its pool and empties the batch. */
    public void releaseAll() {
        for (int i = 0; i < size; i++) {
            PacketBuffer b = buffers[i];
            buffers[i] = null;
            b.release();
        }
        size = 0;
        segmentSize = 0;
    }
}
