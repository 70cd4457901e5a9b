package io.switchyard.router.hub;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.actors.SupervisorStrategy;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.counters.Metric;
import io.switchyard.io.IoCounter;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubCounter;
import io.switchyard.router.HubEvent;
import io.switchyard.router.HubMetric;
import io.switchyard.router.HubStats;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.router.OverlayUdpEndpoint;
import io.switchyard.router.PeerStats;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.peer.Device;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The running hub, the implementation of {@link Hub}: it builds the parts, wires each to
 * the few others it uses, and tears them down. The parts, in data-path order:
 * <ul>
 *   <li>the listen sockets (one per router thread, sharing the port with SO_REUSEPORT), from
 *       the {@link HubEnvironment}'s {@link Sockets}, each read by a {@link RouterActor};</li>
 *   <li>the {@link PacketPools}, the {@link Device} (the peer engines, receiver indexes, Noise),
 *       the {@link HandshakeWorkers};</li>
 *   <li>the {@link PeerTable} (a {@link PeerHandle} and {@link PeerActor} per peer) and the
 *       {@link Routes} they publish;</li>
 *   <li>the listen sockets' {@link Transmitter}, the peers' connected sockets ({@link Links}),
 *       the hub's own addresses ({@link LocalStack} and its {@link LocalEndpointActor});</li>
 *   <li>the counting ({@link HubCounting}) and the events ({@link HubEvents}, {@link DropSampler}).</li>
 * </ul>
 * An actor gets a {@link PeerActor.Wiring} or {@link RouterActor.Wiring}: the parts it uses, not
 * this object. Changes ({@link #apply}, {@link #close}) are serialized on this object.
 */
public final class HubCore implements Hub {
    private final Sockets sockets;
    /** The listen sockets; [0] also sends for peers without a connected socket. */
    private final UdpSocket[] listen;
    private final PacketPools buffers;
    private final Device device;
    private final ActorSystem system;
    private final Transmitter transmitter;
    private final HandshakeWorkers workers;
    private final HubCounting counting = new HubCounting();
    /** The listen routers' counters, by listen socket. */
    private final Counters[] listenCounters;
    private final Links links;
    private final RecvBatches linkBatches;
    private final Routes routes = new Routes();
    private final LocalStack local;
    private final HubEvents events = new HubEvents(counting.hub);
    private final PeerTable peers;
    private final RouterActor.Wiring receivers;
    private DropSampler dropSampler;
    private volatile Config config;
    private volatile boolean forceUnderLoad;
    private volatile boolean linkReceiversPaused;
    private volatile boolean closed;

    private HubCore(Config config, HubEnvironment env, Sockets sockets, UdpSocket[] listen) {
        this.config = config;
        this.sockets = sockets;
        this.listen = listen;
        this.listenCounters = new Counters[listen.length];
        RouterSettings s = config.settings();
        UdpSocket socket = listen[0];
        this.buffers = new PacketPools(s, counting.zerocopy);
        this.device = new Device(config.iface().privateKey(), new Environment(X25519::generatePrivateKey,
                InstantSource.system(), env.clock()::nanoTime, WireGuard.IDENTIFIER), new SecureRandom(), 1 << 16);
        this.system = ActorSystem.builder("hub-" + config.name()).clock(env.clock()).build();
        this.transmitter = new Transmitter(socket, s.gso());
        this.workers = new HandshakeWorkers(device, transmitter, () -> forceUnderLoad, env.clock(), s.handshakeWorkers(),
                s.handshakeQueueSize());
        this.receivers = new RouterActor.Wiring(buffers, workers, device, () -> closed, () -> linkReceiversPaused);
        this.linkBatches = new RecvBatches(s.batchSize(), receiveSlotBytes(socket));
        InetSocketAddress bound = socket.localAddress();
        this.links = s.connectedSockets() ? new Links(sockets,
                () -> socketOptions(this.config).bind(new InetSocketAddress(bound.getAddress(), bound.getPort())), s,
                counting, linkBatches, system, receivers, env.clock()) : null;
        this.local = new LocalStack(buffers, routes, counting.hub);
        this.peers = new PeerTable(device, system,
                new PeerActor.Wiring(env.clock(), routes, buffers, transmitter, links, local, events),
                routes);
    }

    /** Starts a hub on the real machine ({@link HubEnvironment#system()}). */
    public static HubCore start(Config config) throws IOException {
        return start(config, HubEnvironment.system());
    }

    /** Opens the listen sockets through {@code env} and starts everything. */
    public static HubCore start(Config config, HubEnvironment env) throws IOException {
        Sockets sockets = env.sockets().apply("hub-" + config.name() + "-sockets");
        UdpSocket[] listen;
        try {
            listen = openListen(sockets, config);
        } catch (IOException | RuntimeException e) {
            sockets.close();
            throw e;
        }
        HubCore core;
        try {
            core = new HubCore(config, env, sockets, listen);
            core.startActors();
        } catch (RuntimeException e) {
            for (UdpSocket l : listen) {
                l.close();
            }
            sockets.close();
            throw e;
        }
        return core;
    }

    /** The options every hub socket shares: transport, offloads, buffer sizes, FwMark. */
    private static UdpOptions socketOptions(Config config) {
        RouterSettings s = config.settings();
        Transport transport = switch (s.transport()) {
            case AUTO -> Transport.AUTO;
            case NATIVE -> Transport.NATIVE;
            case NIO -> Transport.NIO;
            case URING -> Transport.URING;
        };
        return UdpOptions.create().transport(transport).gso(s.gso()).gro(s.gro())
                .receiveBuffer(s.socketBufferSize()).sendBuffer(s.socketBufferSize())
                .mark((int) config.iface().fwMark());
    }

    /**
     * Opens {@code RouterThreads} listen sockets on the listen port. They share it with
     * SO_REUSEPORT (the kernel hashes each 4-tuple to one of them) whenever there is more than
     * one or peers get connected sockets, which must join the same reuseport group.
     */
    private static UdpSocket[] openListen(Sockets opener, Config config) throws IOException {
        RouterSettings s = config.settings();
        int port = config.iface().listenPort();
        int n = s.routerThreads(Runtime.getRuntime().availableProcessors());
        boolean reuse = n > 1 || s.connectedSockets();
        UdpSocket[] sockets = new UdpSocket[n];
        try {
            try {
                // Dual stack first; a namespace without IPv6 cannot bind "::".
                sockets[0] = opener.open(socketOptions(config).reusePort(reuse)
                        .bind(new InetSocketAddress(InetAddress.getByName("::"), port)));
            } catch (IOException e) {
                sockets[0] = opener.open(socketOptions(config).reusePort(reuse)
                        .bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)));
            }
            InetSocketAddress bound = sockets[0].localAddress(); // the actual port when ListenPort is 0
            for (int i = 1; i < n; i++) {
                sockets[i] = opener.open(socketOptions(config).reusePort(reuse)
                        .bind(new InetSocketAddress(bound.getAddress(), bound.getPort())));
            }
        } catch (IOException | RuntimeException e) {
            for (UdpSocket l : sockets) {
                if (l != null) {
                    l.close();
                }
            }
            throw e;
        }
        return sockets;
    }

    /**
     * A receive slot holds the largest datagram the hub takes, plus one byte so that a longer
     * one is seen (truncated) rather than taken for a whole one; with GRO, a coalesced train.
     */
    private int receiveSlotBytes(UdpSocket socket) {
        int datagram = Math.max(buffers.maxDatagram() + 1, RouterSettings.SMALL_BUFFER_BYTES);
        return socket.groEnabled() ? Math.max(RecvBatch.GRO_SLOT_SIZE, datagram) : datagram;
    }

    private void startActors() {
        local.setAddresses(config.iface().addresses());
        local.setMtu(config.iface().mtu());
        local.handle.ref = system.spawn(Props.<PeerMsg>of(ctx -> new LocalEndpointActor(routes, local, buffers.shares()))
                .withUnboundedMailbox() // bounded in buffers: the peer quota
                .withSupervisor(SupervisorStrategy.resume()), "local");
        peers.start(config);
        RouterSettings s = config.settings();
        for (int i = 0; i < listen.length; i++) {
            UdpSocket socket = listen[i];
            int index = i;
            counting.register(socket, false);
            RecvBatch batch = new RecvBatch(s.batchSize(), receiveSlotBytes(socket));
            Counters counters = counting.register();
            listenCounters[i] = counters;
            ActorRef<Object> router = system.spawn(Props.<Object>of(
                            ctx -> new RouterActor(ctx, receivers, socket, index, batch, linkBatches, counters, () -> { }))
                    .withDedicatedThread(true)
                    .withSupervisor(SupervisorStrategy.resume())
                    .withUnboundedMailbox(), "router-" + i);
            router.tell(RouterActor.POLL);
        }
    }

    // ------------------------------------------------------------------ changes

    /** See {@link Hub#apply}. */
    @Override
    public synchronized void apply(Config next) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        ConfigDiff diff = ConfigDiff.between(config, next);
        if (diff.requiresRestart()) {
            throw new IllegalArgumentException("cannot apply to a running hub (restart it instead): "
                    + String.join("; ", diff.restartReasons()));
        }
        peers.apply(diff, next);
        local.setAddresses(next.iface().addresses());
        local.setMtu(next.iface().mtu());
        config = next;
    }

    @Override
    public void addPeer(PeerConfig peer) {
        updatePeers(Objects.requireNonNull(peer, "peer"), null, PeerEdit.ADD);
    }

    @Override
    public void updatePeer(PeerConfig peer) {
        updatePeers(Objects.requireNonNull(peer, "peer"), null, PeerEdit.UPDATE);
    }

    @Override
    public boolean removePeer(Key32 publicKey) {
        return updatePeers(null, Objects.requireNonNull(publicKey, "publicKey"), PeerEdit.REMOVE);
    }

    /** What {@link #updatePeers} does. */
    enum PeerEdit {
        ADD,
        UPDATE,
        REMOVE
    }

    /** One peer added, replaced or removed, atomically with respect to other changes (see {@link #apply}). */
    private synchronized boolean updatePeers(PeerConfig peer, Key32 remove, PeerEdit edit) {
        Config c = config;
        List<PeerConfig> next = new ArrayList<>(c.peers());
        Key32 key = edit == PeerEdit.REMOVE ? remove : peer.publicKey();
        int at = -1;
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).publicKey().equals(key)) {
                at = i;
            }
        }
        switch (edit) {
            case ADD -> {
                if (at >= 0) {
                    throw new IllegalArgumentException("a peer with public key " + key.toBase64() + " exists already");
                }
                next.add(peer);
            }
            case UPDATE -> {
                if (at < 0) {
                    throw new IllegalArgumentException("no peer with public key " + key.toBase64());
                }
                next.set(at, peer);
            }
            case REMOVE -> {
                if (at < 0) {
                    return false;
                }
                next.remove(at);
            }
        }
        apply(new Config(c.name(), c.iface(), c.settings(), next));
        return true;
    }

    /** See {@link Hub#subscribe}. */
    @Override
    public synchronized AutoCloseable subscribe(Consumer<? super HubEvent> listener) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        AutoCloseable s = events.subscribe(Objects.requireNonNull(listener, "listener"),
                "hub-" + config.name() + "-events-" + events.subscribers());
        if (dropSampler == null) {
            dropSampler = new DropSampler("hub-" + config.name() + "-drop-sampler", peers, () -> stats().drops(), events);
        }
        return s;
    }

    /** See {@link Hub#bindUdp}. */
    @Override
    public synchronized OverlayUdpEndpoint bindUdp(InetAddress address, int port, ActorRef<? super OverlayDatagram> receiver) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        return local.bind(address, port, receiver);
    }

    // ------------------------------------------------------------------ test seams

    /** The packet buffers (tests hold some to provoke backpressure). */
    PacketPools buffers() {
        return buffers;
    }

    /** Test seam: connected sockets' receivers stop reading (datagrams queue on the sockets) while on. */
    void pauseLinkReceiversForTests(boolean on) {
        linkReceiversPaused = on;
    }

    /** Test seam: treat every handshake as arriving under load (mac2 and cookies required). */
    public void setForceUnderLoad(boolean on) {
        forceUnderLoad = on;
    }

    // ------------------------------------------------------------------ the public face

    @Override
    public InetSocketAddress localAddress() {
        return listen[0].localAddress();
    }

    @Override
    public Config config() {
        return config;
    }

    /** A peer's counters: its actor's, and the datagrams from it the receivers refused over its share. */
    private static long[] peerTotals(PeerHandle h) {
        long[] pt = new long[Counters.SIZE];
        h.counters.addTo(pt);
        pt[Counters.slot(DropReason.PEER_OVER_QUOTA)] += h.refusedAtReceive();
        return pt;
    }

    /**
     * The counters now, summed over the parts: receivers count what arrives (RX), transmitters
     * what leaves (TX); every other counter, drops included, is the sum over receivers,
     * transmitters, workers, peers (removed ones too) and the local endpoint.
     */
    @Override
    public HubStats stats() {
        long[] t = new long[Counters.SIZE];
        long[] io = new long[IoCounter.values().length];
        counting.addTo(t, io);
        long rxPackets = t[Counters.slot(HubCounter.RX_PACKETS)];
        long rxBytes = t[Counters.slot(HubCounter.RX_BYTES)];
        long txPackets = t[Counters.slot(HubCounter.TX_PACKETS)] + transmitter.counters.get(HubCounter.TX_PACKETS);
        long txBytes = t[Counters.slot(HubCounter.TX_BYTES)] + transmitter.counters.get(HubCounter.TX_BYTES);
        synchronized (workers.counters) {
            workers.counters.addTo(t);
        }
        transmitter.counters.addTo(t);
        var peerStats = new ArrayList<PeerStats>();
        for (PeerConfig p : config.peers()) {
            PeerHandle h = peers.get(p.publicKey());
            if (h == null) {
                continue;
            }
            long[] pt = peerTotals(h);
            addAllButTraffic(t, pt);
            peerStats.add(new PeerStats(h.key, Optional.ofNullable(h.endpoint), h.engine.lastHandshake(),
                    pt[Counters.slot(HubCounter.RX_PACKETS)], pt[Counters.slot(HubCounter.RX_BYTES)],
                    pt[Counters.slot(HubCounter.TX_PACKETS)], pt[Counters.slot(HubCounter.TX_BYTES)],
                    p.allowedIps(), p.persistentKeepalive(), Counters.drops(pt)));
        }
        for (PeerHandle h : peers.retired()) {
            addAllButTraffic(t, peerTotals(h));
        }
        long[] lt = new long[Counters.SIZE];
        local.handle.counters.addTo(lt);
        addAllButTraffic(t, lt);
        t[Counters.slot(HubCounter.RX_PACKETS)] = rxPackets;
        t[Counters.slot(HubCounter.RX_BYTES)] = rxBytes;
        t[Counters.slot(HubCounter.TX_PACKETS)] = txPackets;
        t[Counters.slot(HubCounter.TX_BYTES)] = txBytes;

        List<Metric> metrics = new ArrayList<>();
        for (HubCounter hc : HubCounter.values()) {
            metrics.add(Metric.of("", hc, t[Counters.slot(hc)]));
        }
        for (HubMetric m : HubMetric.values()) {
            metrics.add(Metric.of("", m, gauge(m, rxPackets)));
        }
        metrics.addAll(counting.zerocopy.metrics("zerocopy"));
        for (IoCounter ic : IoCounter.values()) {
            metrics.add(Metric.of("io", ic, io[ic.ordinal()]));
        }
        metrics.addAll(system.counterSet().metrics("actor"));
        return new HubStats(rxPackets, rxBytes, txPackets, txBytes, t[Counters.slot(HubCounter.HANDSHAKES)],
                t[Counters.slot(HubCounter.COOKIE_REPLIES)], Counters.drops(t), metrics, peerStats);
    }

    /** A hub-wide metric's value now: a gauge read from its part, or a count kept in {@link HubCounting}. */
    private long gauge(HubMetric m, long rxPackets) {
        return switch (m) {
            case PEERS -> peers.size();
            case HANDSHAKE_QUEUE_DEPTH -> workers.depth();
            case MAILBOX_PEERS_DEPTH, MAILBOX_PEERS_MAX_DEPTH -> {
                long total = 0;
                long max = 0;
                for (PeerHandle h : peers.live()) {
                    int d = h.ref.mailboxSize();
                    total += d;
                    max = Math.max(max, d);
                }
                yield m == HubMetric.MAILBOX_PEERS_DEPTH ? total : max;
            }
            case POOL_IN_USE -> buffers.inUse();
            case POOL_CAPACITY -> buffers.capacity();
            case POOL_LARGE_IN_USE -> buffers.largeInUse();
            case POOL_LARGE_CAPACITY -> buffers.largeCapacity();
            case LISTEN_SOCKETS -> listen.length;
            case EVENTS_SUBSCRIBERS -> events.subscribers();
            case LOCAL_ADDRESSES -> config.iface().addresses().size();
            case LOCAL_UDP_PORTS -> local.bindings();
            case LINKS_OPEN -> counting.openLinks();
            case LINKS_RX_PACKETS -> {
                long listenRx = 0;
                for (Counters lc : listenCounters) {
                    listenRx += lc.get(HubCounter.RX_PACKETS);
                }
                yield rxPackets - listenRx;
            }
            case LINKS_RECEIVE_BATCHES -> linkBatches.created();
            case MAILBOX_BUFFERS -> buffers.shares().held();
            case STAGED_BUFFERS -> buffers.staged();
            default -> counting.hub.get(m);
        };
    }

    private static final int[] TRAFFIC = {Counters.slot(HubCounter.RX_PACKETS), Counters.slot(HubCounter.RX_BYTES),
            Counters.slot(HubCounter.TX_PACKETS), Counters.slot(HubCounter.TX_BYTES)};

    /** Adds a peer's counters to the totals, but its traffic: receivers and transmitters count that. */
    private static void addAllButTraffic(long[] into, long[] peer) {
        for (int i = 0; i < Counters.SIZE; i++) {
            into[i] += peer[i];
        }
        for (int i : TRAFFIC) {
            into[i] -= peer[i];
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        events.close(); // subscribers see no removals for a hub that stops
        if (dropSampler != null) {
            dropSampler.stop();
        }
        for (UdpSocket l : listen) {
            l.close(); // wakes its router actor, which stops
        }
        workers.close();
        for (PeerHandle h : peers.live()) {
            h.ref.tell(new PeerMsg.Retire());
        }
        system.shutdown(Duration.ofSeconds(5));
        transmitter.close();
        linkBatches.close();
        sockets.close();
        // The pools' memory is left to the GC: a buffer still held by a stuck actor must not
        // point at freed native memory.
    }
}
