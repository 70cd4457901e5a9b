package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.CMSG_U16;
import static io.switchyard.io.linux.LinuxStructs.IOVEC;
import static io.switchyard.io.linux.LinuxStructs.IOV_BASE;
import static io.switchyard.io.linux.LinuxStructs.IOV_LEN;
import static io.switchyard.io.linux.LinuxStructs.MMSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MMSG_HDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROL;
import static io.switchyard.io.linux.LinuxStructs.MSG_CONTROLLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_FLAGS;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOV;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOVLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAME;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_IN6;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;

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
        this.trainControl = arena.allocate(CMSG_U16);
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
        ControlMessages.initUdpSegment(trainControl);
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

    /**
     * Checks that datagrams [start, start + n) form a GSO train: at most 64, all the length of
     * the first but a shorter, non-empty last one, one destination, at most 65,507 bytes.
     *
     * @throws IllegalArgumentException naming the datagram that breaks a rule
     */
    void checkTrain(int start, int n) {
        if (n > Linux.GSO_MAX_SEGMENTS) {
            throw new IllegalArgumentException("a train holds at most " + Linux.GSO_MAX_SEGMENTS + " datagrams: " + n);
        }
        int segment = lengths[start];
        if (segment == 0) {
            throw new IllegalArgumentException("train segments must not be empty");
        }
        long total = 0;
        long firstName = SOCKADDR_STORAGE * start;
        SockAddr firstDest = destinations[start];
        for (int i = start; i < start + n; i++) {
            int len = lengths[i];
            total += len;
            if (i < start + n - 1 ? len != segment : len > segment || len == 0) {
                throw new IllegalArgumentException("train datagram " + (i - start) + " has length " + len
                        + "; all must be " + segment + " except a shorter, non-empty last one");
            }
            SockAddr d = destinations[i];
            if ((d == null) != (firstDest == null) || (d != null && MemorySegment.mismatch(
                    names, firstName, firstName + SOCKADDR_STORAGE,
                    names, SOCKADDR_STORAGE * i, SOCKADDR_STORAGE * i + SOCKADDR_STORAGE) != -1)) {
                throw new IllegalArgumentException("train datagram " + (i - start) + " goes to another destination");
            }
        }
        if (total > Linux.GSO_MAX_BYTES) {
            throw new IllegalArgumentException("a train carries at most " + Linux.GSO_MAX_BYTES + " bytes: " + total);
        }
    }

    /**
     * Rewrites the IPv4 destinations of datagrams [from, to) in place to the IPv4-mapped IPv6
     * form, which an AF_INET6 socket needs (it refuses a sockaddr_in).
     */
    void mapToIpv6(int from, int to) {
        for (int i = from; i < to; i++) {
            long n = SOCKADDR_STORAGE * i;
            if (destinations[i] != null && SockAddr.family(names, n) == Linux.AF_INET) {
                SockAddr.mapToIpv6InPlace(names, n);
                MSG_NAMELEN.set(msgs, MMSGHDR.byteSize() * i + MMSG_HDR_OFFSET, (int) SOCKADDR_IN6.byteSize());
            }
        }
    }

    /**
     * Fills {@code msg} to send datagrams [start, start + n) with one {@code sendmsg}: their
     * destination and iovecs, and for a train (n > 1) {@code control}, a UDP_SEGMENT cmsg
     * ({@link ControlMessages#initUdpSegment}) set to the first datagram's length. A single
     * datagram carries no cmsg: a one-segment train is not a train.
     */
    void fillMsg(int start, int n, MemorySegment msg, MemorySegment control) {
        long first = MMSGHDR.byteSize() * start + MMSG_HDR_OFFSET;
        MSG_NAME.set(msg, 0L, (long) MSG_NAME.get(msgs, first));
        MSG_NAMELEN.set(msg, 0L, (int) MSG_NAMELEN.get(msgs, first));
        MSG_IOV.set(msg, 0L, iovs.address() + IOVEC.byteSize() * start);
        MSG_IOVLEN.set(msg, 0L, (long) n);
        if (n > 1) {
            MSG_CONTROL.set(msg, 0L, control.address());
            MSG_CONTROLLEN.set(msg, 0L, CMSG_U16.byteSize());
            ControlMessages.udpSegment(control, lengths[start]);
        } else {
            MSG_CONTROL.set(msg, 0L, 0L);
            MSG_CONTROLLEN.set(msg, 0L, 0L);
        }
        MSG_FLAGS.set(msg, 0L, 0);
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
