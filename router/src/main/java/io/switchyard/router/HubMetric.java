package io.switchyard.router;

import io.switchyard.counters.CounterDescriptor;

/**
 * The hub's metrics that belong to the hub as a whole rather than to one actor: gauges of its
 * state, read when stats are taken, and counters of its shared parts (the local endpoint, the
 * event subscribers, the connected sockets). Ids are stable.
 */
public enum HubMetric implements CounterDescriptor {
    PEERS(0, "peers", Kind.GAUGE, "configured peers"),
    HANDSHAKE_QUEUE_DEPTH(1, "handshake.queue_depth", Kind.GAUGE, "handshake messages waiting for a worker"),
    MAILBOX_PEERS_DEPTH(2, "mailbox.peers.depth", Kind.GAUGE, "batches waiting in all peer actors' mailboxes"),
    MAILBOX_PEERS_MAX_DEPTH(3, "mailbox.peers.max_depth", Kind.GAUGE, "batches waiting in the fullest peer mailbox"),
    POOL_IN_USE(4, "pool.in_use", Kind.GAUGE, "packet buffers held (both sizes)"),
    POOL_CAPACITY(5, "pool.capacity", Kind.GAUGE, "packet buffers in all (both sizes)"),
    POOL_LARGE_IN_USE(6, "pool.large_in_use", Kind.GAUGE, "64 KiB packet buffers held (datagrams above 2 KiB)"),
    POOL_LARGE_CAPACITY(7, "pool.large_capacity", Kind.GAUGE, "64 KiB packet buffers in all (LargePacketBuffers)"),
    LISTEN_SOCKETS(8, "listen.sockets", Kind.GAUGE, "listen sockets (RouterThreads)"),
    EVENTS_SUBSCRIBERS(9, "events.subscribers", Kind.GAUGE, "event subscribers of the embedding API"),
    EVENTS_DELIVERED(10, "events.delivered", Kind.COUNTER, "events delivered to subscribers"),
    EVENTS_DROPPED(11, "events.dropped", Kind.COUNTER, "events a subscriber too far behind did not get"),
    LOCAL_ADDRESSES(12, "local.addresses", Kind.GAUGE, "the hub's own overlay addresses (Address)"),
    LOCAL_UDP_PORTS(13, "local.udp_ports", Kind.GAUGE, "UDP ports bound on them by an embedding program"),
    LOCAL_ORIGINATED(14, "local.originated", Kind.COUNTER, "packets the hub made itself (echo replies, bound ports' datagrams, ICMP too big)"),
    LOCAL_SEND_NO_ROUTE(15, "local.send_no_route", Kind.COUNTER, "datagrams of bound UDP ports with no route or no source address"),
    LOCAL_SEND_NO_BUFFER(16, "local.send_no_buffer", Kind.COUNTER, "datagrams of bound UDP ports with no packet buffer free"),
    LOCAL_SEND_REFUSED(17, "local.send_refused", Kind.COUNTER, "datagrams of bound UDP ports the destination peer's mailbox refused"),
    LOCAL_TOO_BIG_ANSWERED(18, "local.too_big_answered", Kind.COUNTER, "inner packets above the MTU answered with ICMP too big"),
    LOCAL_TOO_BIG_UNANSWERED(19, "local.too_big_unanswered", Kind.COUNTER,
            "inner packets above the MTU not answered (no address of the family, rate limit, no buffer)"),
    LINKS_OPEN(20, "links.open", Kind.GAUGE, "peers' connected sockets open now"),
    LINKS_OPENED(21, "links.opened", Kind.COUNTER, "peers' connected sockets opened"),
    LINKS_OPEN_FAILED(22, "links.open_failed", Kind.COUNTER, "connected sockets the kernel refused"),
    LINKS_RX_PACKETS(23, "links.rx_packets", Kind.COUNTER, "datagrams that arrived on connected sockets rather than a listen socket"),
    LINKS_RECEIVE_BATCHES(24, "links.receive_batches", Kind.GAUGE, "receive batches the connected sockets' receivers share"),
    MAILBOX_BUFFERS(25, "mailbox.buffers", Kind.GAUGE, "packet buffers waiting in peers' mailboxes (at most half of PacketBuffers)"),
    STAGED_BUFFERS(26, "staging.buffers", Kind.GAUGE, "packets waiting for their peer's session (at most a quarter of PacketBuffers)");

    private final int id;
    private final String name;
    private final Kind kind;
    private final String description;

    HubMetric(int id, String name, Kind kind, String description) {
        this.id = id;
        this.name = name;
        this.kind = kind;
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
    public Kind kind() {
        return kind;
    }

    @Override
    public String description() {
        return description;
    }
}
