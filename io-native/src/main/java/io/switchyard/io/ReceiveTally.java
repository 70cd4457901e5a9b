package io.switchyard.io;

import java.lang.foreign.MemorySegment;

/**
 * The per-slot step of a receive call and what the call found besides its datagrams, written
 * once for the epoll, io_uring and NIO sockets.
 *
 * <p>Per received slot: {@link #control} reads its control messages (it returns the GRO segment
 * size and keeps the SO_RXQ_OVFL count), {@link #add} adds its datagrams to the batch, split
 * when GRO coalesced them. At the end of the call {@link #finish} adds it all to the socket's
 * counters: they are atomic, so they change once per call, never per datagram.
 *
 * <p>One per socket, reused (no allocation per call), by the socket's one receiving thread at a
 * time, as the {@link UdpSocket} contract has it; {@link #start} begins each call.
 */
final class ReceiveTally {
    private final boolean gro;
    private final boolean rxq;
    /** Datagrams dropped because they did not fit their slot. */
    int truncated;
    /** Asynchronous errors (ICMP) reported on receive. */
    int errors;
    private int coalesced;
    private long groSegments;
    /** The last SO_RXQ_OVFL count seen, -1 for none. */
    private long kernelDrops;

    /** For a socket with UDP_GRO ({@code gro}) and SO_RXQ_OVFL ({@code rxq}) on as the kernel accepted them. */
    ReceiveTally(boolean gro, boolean rxq) {
        this.gro = gro;
        this.rxq = rxq;
    }

    void start() {
        truncated = 0;
        errors = 0;
        coalesced = 0;
        groSegments = 0;
        kernelDrops = -1;
    }

    /**
     * Reads the control messages at {@code [offset, offset + length)} of {@code control} that
     * belong to one slot (only those the socket turned on): keeps the drop count and returns the
     * GRO segment size, 0 if the slot was not coalesced.
     */
    int control(MemorySegment control, long offset, long length) {
        if (rxq) {
            long drops = ControlMessages.rxqOverflow(control, offset, length);
            if (drops >= 0) {
                kernelDrops = drops;
            }
        }
        return gro ? ControlMessages.groSegment(control, offset, length) : 0;
    }

    /** Adds slot {@code slot}'s datagrams: {@code length} bytes from {@code start}, by {@code segment} if coalesced. */
    void add(RecvBatch batch, int slot, int start, int length, int segment) {
        int segments = batch.addReceived(slot, start, length, segment);
        if (segments > 0) {
            coalesced++;
            groSegments += segments;
        }
    }

    /** Ends the call: sets the batch's truncated count and adds the call to {@code counters}. */
    void finish(RecvBatch batch, IoCounters counters) {
        if (batch.count > 0) {
            counters.add(IoCounter.RECEIVE_CALLS, 1);
            counters.add(IoCounter.DATAGRAMS_RECEIVED, batch.count);
        }
        counters.add(IoCounter.TRUNCATED, truncated);
        batch.truncated = truncated;
        counters.add(IoCounter.GRO_COALESCED, coalesced);
        counters.add(IoCounter.GRO_SEGMENTS, groSegments);
        counters.add(IoCounter.RECEIVE_ERRORS, errors);
        if (kernelDrops >= 0) {
            counters.max(IoCounter.KERNEL_DROPS, kernelDrops);
        }
    }
}
