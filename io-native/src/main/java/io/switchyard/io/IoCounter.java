package io.switchyard.io;

import io.switchyard.counters.CounterDescriptor;

/**
 * Per-socket counters, with stable ids (for metrics export) and labels. Every datagram a socket
 * does not deliver or send is counted under one of these, never only logged.
 */
public enum IoCounter implements CounterDescriptor {
    RECEIVE_CALLS(0, "receive calls that returned at least one datagram"),
    DATAGRAMS_RECEIVED(1, "datagrams received (after GRO split)"),
    GRO_COALESCED(2, "receive buffers that held a GRO-coalesced train"),
    TRUNCATED(3, "datagrams dropped because they did not fit the receive slot"),
    KERNEL_DROPS(4, "datagrams the kernel dropped on a full receive queue (SO_RXQ_OVFL, cumulative)"),
    RECEIVE_ERRORS(5, "asynchronous errors reported on receive (ICMP unreachable and similar)"),
    SEND_CALLS(6, "send calls that sent at least one datagram"),
    DATAGRAMS_SENT(7, "datagrams sent (GSO segments counted one by one)"),
    GSO_TRAINS(8, "GSO trains sent in one call"),
    GSO_DOWNGRADES(9, "GSO turned off for this socket after EIO/EINVAL (batch resent without GSO)"),
    SEND_DROPPED(10, "datagrams refused by the kernel on a per-datagram send error (unreachable, too big, denied); see SendRefusal"),
    ZEROCOPY_NOBUFS(11, "zerocopy sends refused with ENOBUFS (optmem limit)"),
    ZEROCOPY_COMPLETIONS(12, "zerocopy completion records read from the error queue"),
    URING_REARMS(13, "io_uring multishot receives re-armed after the kernel ended them (buffers ran out, empty datagram, error)"),
    URING_BUFFERS_EXHAUSTED(14, "times the io_uring provided-buffer ring ran empty (datagrams waited in the socket queue)"),
    URING_BAD_COMPLETIONS(15, "io_uring completions ignored as untrustworthy (unknown kind or buffer id, short header)"),
    URING_SEND_REORDERED(16, "datagrams io_uring resent after a later one of their batch went out (send buffer freed mid-submission)"),
    GSO_SEGMENTS(17, "datagrams sent inside GSO trains (segments per train = this / gso_trains)"),
    GRO_SEGMENTS(18, "datagrams received inside GRO-coalesced buffers (segments per buffer = this / gro_coalesced)"),
    GSO_TOO_BIG(19, "GSO trains refused with EMSGSIZE (segment too big for the path) and resent datagram by datagram");

    private final int id;
    private final String label;

    IoCounter(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable numeric id; never reused. */
    @Override
    public int id() {
        return id;
    }

    public String label() {
        return label;
    }


    @Override
    public String description() {
        return label;
    }
}
