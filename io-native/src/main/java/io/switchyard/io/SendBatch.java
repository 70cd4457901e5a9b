package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.CMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.CMSG_LEN;
import static io.switchyard.io.linux.LinuxStructs.CMSG_LEVEL;
import static io.switchyard.io.linux.LinuxStructs.CMSG_TYPE;
import static io.switchyard.io.linux.LinuxStructs.IOVEC;
import static io.switchyard.io.linux.LinuxStructs.IOV_BASE;
import static io.switchyard.io.linux.LinuxStructs.IOV_LEN;
import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOV;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOVLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAME;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static io.switchyard.io.linux.LinuxStructs.cmsgLen;
import static io.switchyard.io.linux.LinuxStructs.cmsgSpace;

import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A reusable list of outgoing datagrams, each (buffer, offset, length, destination), sent by
 * {@link UdpSocket#trySend(SendBatch)} (one {@code sendmmsg}) or as one GSO train by
 * {@link UdpSocket#trySendTrain(SendBatch)} (one {@code sendmsg} with a {@code UDP_SEGMENT} cmsg
 * whose iovecs are the datagrams' buffers: the kernel concatenates and re-segments them, so
 * pooled buffers go out without a copy). Owned by one thread (the sending one).
 *
 * <p>The batch only records buffer addresses: the caller keeps the buffers alive and unchanged
 * until the send returns. Destinations are copied (32 bytes) into the batch's native memory for
 * the native transport; the NIO transport uses the {@link SockAddr} object itself (its cached
 * decoded form) at send time, so do not change a destination between {@code add} and the send.
 * {@code null} means "the connected peer". A send consumes datagrams from the front;
 * {@link #remaining()} says how many are still to go after a partial send. A datagram the kernel
 * refused (a per-datagram error: too big, unreachable, denied) counts as consumed but is not
 * sent: {@link #refusal(int)} says why, {@link #refused()} how many, so a caller can count it as
 * a drop.
 * {@link #addTrain} adds one contiguous buffer as the datagrams of a GSO train.
 */
public final class SendBatch implements AutoCloseable {
    final int capacity;
    final Arena arena;
    final MemorySegment iovs;
    final MemorySegment msgs;
    final MemorySegment names;
    final MemorySegment trainMsg;
    final MemorySegment trainControl;
    final MemorySegment callState;

    final MemorySegment[] buffers;
    final long[] offsets;
    final int[] lengths;
    final SockAddr[] destinations;
    /** Per datagram: 0 if not refused, else the {@link SendRefusal} ordinal + 1. */
    private final byte[] refusals;
    private int refused;
    int size;
    int sent;

    public SendBatch(int capacity) {
        if (capacity < 1 || capacity > 1024) {
            throw new IllegalArgumentException("capacity must be 1..1024: " + capacity);
        }
        this.capacity = capacity;
        this.arena = Arena.ofShared();
        this.iovs = arena.allocate(IOVEC.byteSize() * capacity, 8);
        this.msgs = arena.allocate(MMSGHDR.byteSize() * capacity, 8);
        this.names = arena.allocate(SOCKADDR_STORAGE * capacity, 8);
        this.trainMsg = arena.allocate(MSGHDR);
        this.trainControl = arena.allocate(cmsgSpace(Short.BYTES), 8);
        this.callState = LibC.newCallState(arena);
        this.buffers = new MemorySegment[capacity];
        this.offsets = new long[capacity];
        this.lengths = new int[capacity];
        this.destinations = new SockAddr[capacity];
        this.refusals = new byte[capacity];
        for (int i = 0; i < capacity; i++) {
            long m = MMSGHDR.byteSize() * i + MMSG_HDR_OFFSET;
            MSG_IOV.set(msgs, m, iovs.address() + IOVEC.byteSize() * i);
            MSG_IOVLEN.set(msgs, m, 1L);
        }
        // A GSO train's control message never changes except for the u16 segment size.
        CMSG_LEN.set(trainControl, 0L, cmsgLen(Short.BYTES));
        CMSG_LEVEL.set(trainControl, 0L, Linux.SOL_UDP);
        CMSG_TYPE.set(trainControl, 0L, Linux.UDP_SEGMENT);
        assert CMSGHDR.byteSize() == 16;
    }

    public int capacity() {
        return capacity;
    }

    /** Datagrams added since the last {@link #clear()}. */
    public int size() {
        return size;
    }

    /** Datagrams not yet sent. */
    public int remaining() {
        return size - sent;
    }

    /** Datagrams consumed so far: sent, or refused by the kernel ({@link #refusal(int)}). */
    public int sent() {
        return sent;
    }

    /** How many datagrams of this batch the kernel refused (they count in {@link #sent()} too). */
    public int refused() {
        return refused;
    }

    /** Why the kernel refused datagram {@code i}, or null if it was not refused (sent or not yet tried). */
    public SendRefusal refusal(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        int r = refusals[i];
        return r == 0 ? null : SendRefusal.values()[r - 1];
    }

    /** Marks datagram {@code i} refused with a per-datagram {@code errno} (transports only). */
    void refuse(int i, int errno) {
        if (refusals[i] == 0) {
            refused++;
        }
        refusals[i] = (byte) (SendRefusal.of(errno).ordinal() + 1);
    }

    /** Marks datagram {@code i} refused for {@code reason} (transports without an errno: NIO). */
    void refuse(int i, SendRefusal reason) {
        if (refusals[i] == 0) {
            refused++;
        }
        refusals[i] = (byte) (reason.ordinal() + 1);
    }

    /**
     * Appends a datagram: {@code length} bytes of {@code buffer} (native) at {@code offset}, to
     * {@code destination} ({@code null} on a connected socket). Returns false when the batch is full.
     */
    public boolean add(MemorySegment buffer, long offset, int length, SockAddr destination) {
        if (size == capacity) {
            return false;
        }
        if (!buffer.isNative()) {
            throw new IllegalArgumentException("send buffers must be native memory");
        }
        if (length < 0 || offset < 0 || offset + length > buffer.byteSize()) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length
                    + " outside buffer of " + buffer.byteSize());
        }
        int i = size;
        long v = IOVEC.byteSize() * i;
        IOV_BASE.set(iovs, v, buffer.address() + offset);
        IOV_LEN.set(iovs, v, (long) length);
        long m = MMSGHDR.byteSize() * i + MMSG_HDR_OFFSET;
        if (destination == null || destination.family() == 0) {
            MSG_NAME.set(msgs, m, 0L);
            MSG_NAMELEN.set(msgs, m, 0);
            destinations[i] = null;
        } else {
            long n = SOCKADDR_STORAGE * i;
            MemorySegment.copy(destination.segment(), 0, names, n, SOCKADDR_STORAGE);
            MSG_NAME.set(msgs, m, names.address() + n);
            MSG_NAMELEN.set(msgs, m, destination.length());
            destinations[i] = destination;
        }
        buffers[i] = buffer;
        offsets[i] = offset;
        lengths[i] = length;
        size = i + 1;
        return true;
    }

    /**
     * Appends one contiguous buffer as a train: {@code length} bytes of {@code buffer} (native)
     * at {@code offset}, cut into datagrams of {@code segmentSize} bytes (the last may be
     * shorter), all to {@code destination}. Returns the number of datagrams added, or 0 (adding
     * nothing) when the batch has no room for all of them. Send it with
     * {@link UdpSocket#sendTrain} or {@link UdpSocket#trySendZeroCopy}: one {@code sendmsg} with
     * a {@code UDP_SEGMENT} cmsg of {@code segmentSize}, within the train limits (64 segments,
     * 65,507 bytes); or with {@link UdpSocket#send} as separate datagrams.
     *
     * <p>The datagrams are ordinary entries whose iovecs are adjacent, so the kernel reads one
     * contiguous buffer. This keeps every other path unchanged: where GSO is off or was
     * downgraded the same entries go out through {@code sendmmsg}, and the NIO transport sends
     * them one by one. For MSG_ZEROCOPY the kernel merges adjacent iovecs that share a page
     * into one page frag, so a contiguous 64 KiB train pins its ~16 pages, within
     * MAX_SKB_FRAGS (17), where 46 separate pooled slots would need 46 frags and be refused.
     */
    public int addTrain(MemorySegment buffer, long offset, int length, int segmentSize, SockAddr destination) {
        if (segmentSize < 1 || length < 1) {
            throw new IllegalArgumentException("a train needs a positive length and segment size: length "
                    + length + ", segment " + segmentSize);
        }
        if (offset < 0 || offset + length > buffer.byteSize()) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length
                    + " outside buffer of " + buffer.byteSize());
        }
        int segments = (int) ((length + (long) segmentSize - 1) / segmentSize);
        if (segments > capacity - size) {
            return 0;
        }
        for (int k = 0; k < segments; k++) {
            long start = (long) k * segmentSize;
            add(buffer, offset + start, (int) Math.min(segmentSize, length - start), destination);
        }
        return segments;
    }

    /** Empties the batch for reuse (drops the buffer references). */
    public void clear() {
        for (int i = 0; i < size; i++) {
            buffers[i] = null;
            destinations[i] = null;
        }
        if (refused > 0) {
            java.util.Arrays.fill(refusals, 0, size, (byte) 0);
            refused = 0;
        }
        size = 0;
        sent = 0;
    }

    /** Length of datagram {@code i}. */
    public int length(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return lengths[i];
    }

    @Override
    public void close() {
        arena.close();
    }
}
