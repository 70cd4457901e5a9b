package io.switchyard.router;

import io.switchyard.counters.CounterDescriptor;

/**
 * What every part of the hub's data path counts for itself (each receiver, transmitter and peer
 * actor keeps its own, and the hub sums them): traffic, the datagrams that left or were for the
 * hub, handshakes. Drops are counted the same way, by {@link DropReason}. Ids are stable.
 */
public enum HubCounter implements CounterDescriptor {
    RX_PACKETS(0, "rx_packets", "datagrams received on the hub's sockets"),
    RX_BYTES(1, "rx_bytes", "bytes received (UDP payload)"),
    TX_PACKETS(2, "tx_packets", "datagrams sent (forwarded, handshake, keepalive, cookie replies)"),
    TX_BYTES(3, "tx_bytes", "bytes sent (UDP payload)"),
    FORWARDED(4, "forwarded", "transport messages delivered to their destination's socket"),
    CONSUMED(5, "consumed", "datagrams meant for the hub itself: handshake messages, cookie replies, keepalives, echo requests"),
    HANDSHAKES(6, "handshakes_completed", "sessions installed, as initiator or responder"),
    COOKIE_REPLIES(7, "cookie_replies_sent", "cookie replies sent under load"),
    RECEIVE_WAITS(8, "receive.waits", "receive calls put off because the packet buffers were nearly all in use (backpressure)");

    private final int id;
    private final String name;
    private final String description;

    HubCounter(int id, String name, String description) {
        this.id = id;
        this.name = name;
        this.description = description;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public String metricName() {
        return name;
    }

    @Override
    public String description() {
        return description;
    }
}
