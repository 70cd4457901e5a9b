package io.switchyard.router.hub;

import io.switchyard.config.Setting;
import io.switchyard.router.HubEvent;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.router.OverlayUdpEndpoint;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Overflow;
import io.switchyard.actors.Props;
import io.switchyard.actors.SupervisorStrategy;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.counters.CounterSet;
import io.switchyard.counters.Metric;
import io.switchyard.io.IoCounter;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.router.HubMetric;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.wireguard.routing.AllowedIps;
import io.switchyard.wireguard.routing.FrozenAllowedIps;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import io.switchyard.zerocopy.ZerocopyCompletionTracker;
import io.switchyard.zerocopy.ZerocopyConfig;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running hub behind {@link io.switchyard.router.Hub}: the socket opener thread, the listen
 * sockets (one per router thread, sharing the port with SO_REUSEPORT), the buffer pool (with a
 * {@link ByteBuffer} view and a source address per buffer, made once), the {@link Device}, one
 * {@link PeerHandle} and {@link PeerActor} per peer, the routing snapshot, a {@link RouterActor}
 * per listen socket, the {@link HandshakeWorkers} and the listen sockets' {@link Transmitter}.
 * Peer actors open their connected sockets ({@link PeerLink}) through {@link #openLink}.
 *
 * <p>Counting: every receiver and transmitter has its own single-writer {@link Counters}; the
 * hub sums them in {@link #stats}. A link's counters are folded into retired totals when it
 * closes, so totals never go down and a roaming peer's closed sockets cost nothing.
 *
 * <p>Routing: the trie is rebuilt from the whole configuration on every {@link #apply} and
 * published as an immutable {@link FrozenAllowedIps} through a volatile field; peer actors read
 * it once per batch. Mutations ({@link #apply}, {@link #close}) are serialized on this object.
 */
public final class HubCore {
    private final SocketOpener opener;
    /** The listen sockets; [0] also sends for peers without a connected socket. */
    private final UdpSocket[] listen;
    /** Where the listen sockets are bound (the wildcard and the actual port): links bind there too. */
    private final InetSocketAddress bindAddress;
    private final boolean connectedSockets;
    private final PacketPools buffers;
    /** Pool and zerocopy tracker counters (one set, shared: striped adders). */
    private final CounterSet<ZerocopyCounter> zerocopyCounters = CounterSet.striped(ZerocopyCounter.class);
    private final RecvBatches linkBatches;
    private final Device device;
    private final ActorSystem system;
    private final Transmitter transmitter;
    private final HandshakeWorkers workers;
    /** Live receivers' counters (listen routers and links) and links' transmitter counters. */
    private final Set<Counters> liveCounters = ConcurrentHashMap.newKeySet();
    private final Set<UdpSocket> liveLinkSockets = ConcurrentHashMap.newKeySet();
    /** Folded totals of closed links; guarded by itself, as are reads of the live sets in stats. */
    private final long[] retiredCounters = new long[Counters.SIZE];
    private final long[] retiredIo = new long[IoCounter.values().length];
    /** The listen routers' counters, by listen socket. */
    private final Counters[] listenCounters;
    /** The hub-wide counts (the local endpoint, events, connected sockets); gauges are read at stats time. */
    private final CounterSet<HubMetric> hubCounts = CounterSet.striped(HubMetric.class);
    private final ConcurrentHashMap<Key32, PeerHandle> peers = new ConcurrentHashMap<>();
    /** Removed peers, kept so that totals never go down. */
    private final List<PeerHandle> retired = new CopyOnWriteArrayList<>();
    private volatile FrozenAllowedIps<PeerHandle> routes;
    private final LocalStack local = new LocalStack(this, hubCounts);
    private final HubEvents events = new HubEvents(hubCounts);
    private Thread dropSampler;
    private volatile Config config;
    private volatile boolean forceUnderLoad;
    private volatile boolean closed;

    private HubCore(Config config, SocketOpener opener, UdpSocket[] listen) {
        this.config = config;
        this.opener = opener;
        this.listen = listen;
        this.listenCounters = new Counters[listen.length];
        UdpSocket socket = listen[0];
        this.bindAddress = new InetSocketAddress(socket.localAddress().getAddress(), socket.localAddress().getPort());
        RouterSettings s = config.settings();
        this.connectedSockets = s.connectedSockets();
        this.buffers = new PacketPools(s, zerocopyCounters);
        this.linkBatches = new RecvBatches(s.batchSize(), receiveSlotBytes(socket));
        this.device = new Device(config.iface().privateKey());
        this.system = ActorSystem.create("hub-" + config.name());
        this.transmitter = new Transmitter(socket, s.gso());
        this.workers = new HandshakeWorkers(this, s.handshakeWorkers(), s.handshakeQueueSize());
    }

    /** Opens the listen sockets on a new opener thread and starts everything. */
    public static HubCore start(Config config) throws IOException {
        SocketOpener opener = new SocketOpener("hub-" + config.name() + "-sockets");
        UdpSocket[] listen;
        try {
            listen = openListen(opener, config);
        } catch (IOException | RuntimeException e) {
            opener.close();
            throw e;
        }
        HubCore core;
        try {
            core = new HubCore(config, opener, listen);
            core.startActors();
        } catch (RuntimeException e) {
            for (UdpSocket l : listen) {
                l.close();
            }
            opener.close();
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
    private static UdpSocket[] openListen(SocketOpener opener, Config config) throws IOException {
        RouterSettings s = config.settings();
        int port = config.iface().listenPort();
        int n = s.routerThreads(Runtime.getRuntime().availableProcessors());
        boolean reuse = n > 1 || s.connectedSockets();
        UdpOptions o = socketOptions(config).reusePort(reuse);
        UdpSocket[] sockets = new UdpSocket[n];
        try {
            try {
                // Dual stack first; a namespace without IPv6 cannot bind "::".
                sockets[0] = opener.open(o.bind(new InetSocketAddress(InetAddress.getByName("::"), port)));
            } catch (IOException e) {
                sockets[0] = opener.open(o.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)));
            }
            InetSocketAddress bound = sockets[0].localAddress(); // the actual port when ListenPort is 0
            for (int i = 1; i < n; i++) {
                sockets[i] = opener.open(o.bind(new InetSocketAddress(bound.getAddress(), bound.getPort())));
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
        local.handle.ref = system.spawn(Props.<PeerMsg>of(ctx -> new LocalEndpointActor(this, local))
                .withBoundedMailbox(config.settings().mailboxCapacity(), Overflow.DROP_NEWEST)
                .withSupervisor(SupervisorStrategy.resume()), "local");
        for (PeerConfig p : config.peers()) {
            addPeer(p);
        }
        publishRoutes(config);
        RouterSettings s = config.settings();
        for (int i = 0; i < listen.length; i++) {
            UdpSocket socket = listen[i];
            int index = i;
            RecvBatch batch = new RecvBatch(s.batchSize(), receiveSlotBytes(socket));
            Counters counters = new Counters();
            listenCounters[i] = counters;
            liveCounters.add(counters);
            ActorRef<Object> router = system.spawn(Props.<Object>of(
                            ctx -> new RouterActor(ctx, this, socket, index, batch, linkBatches, counters, () -> { }))
                    .withDedicatedThread(true)
                    .withSupervisor(SupervisorStrategy.resume())
                    .withUnboundedMailbox(), "router-" + i);
            router.tell(RouterActor.POLL);
        }
    }

    // ------------------------------------------------------------------ connected sockets

    boolean connectedSockets() {
        return connectedSockets;
    }

    /**
     * Opens a connected socket for {@code peer} to {@code remote} (on the opener thread, so in
     * the hub's namespace) and starts its receiver. Returns null, counted, if the kernel refuses
     * (the peer keeps using the listen socket and its actor tries again later).
     */
    PeerLink openLink(PeerHandle peer, InetSocketAddress remote) {
        RouterSettings s = config.settings();
        UdpOptions o = socketOptions(config).bind(bindAddress).reusePort(true).connect(remote);
        if (s.transport() == io.switchyard.config.Setting.Transport.URING) {
            o.transport(Transport.NATIVE); // an io_uring socket costs three rings: not one per peer
        }
        UdpSocket socket = null;
        PeerLink link = null;
        try {
            UdpZerocopyChannel channel = null;
            if (s.zeroCopy()) {
                channel = opener.call(() -> UdpZerocopyChannel.open(o, Trains.MAX_SEGMENTS));
                socket = channel.socket();
            } else {
                socket = opener.open(o);
            }
            ZerocopyCompletionTracker tracker = channel == null ? null : new ZerocopyCompletionTracker(channel,
                    ZerocopyConfig.defaults().withSizeThreshold(s.zeroCopyThreshold()), zerocopyCounters,
                    device::nanoTime);
            Counters rx = new Counters();
            UdpSocket linkSocket = socket;
            PeerLink opened = new PeerLink(remote, socket, channel, tracker, s.zeroCopyThreshold(),
                    c -> retire(c));
            link = opened;
            liveCounters.add(rx);
            liveCounters.add(opened.txCounters());
            liveLinkSockets.add(socket);
            link.receiver = system.spawn(Props.<Object>of(
                            ctx -> new RouterActor(ctx, this, linkSocket, -1, null, linkBatches, rx, () -> {
                                opened.closeSocket();
                                retire(rx);
                                retire(linkSocket);
                            }))
                    .withSupervisor(SupervisorStrategy.resume())
                    .withUnboundedMailbox(), "link-" + peer.key.toBase64().substring(0, 8));
            link.receiver.tell(RouterActor.POLL);
            hubCounts.increment(HubMetric.LINKS_OPENED);
            return link;
        } catch (IOException | RuntimeException e) {
            if (link != null) {
                link.close();
            } else if (socket != null) {
                socket.close();
            }
            if (socket != null) {
                retire(socket);
            }
            hubCounts.increment(HubMetric.LINKS_OPEN_FAILED);
            System.getLogger("io.switchyard.hub").log(System.Logger.Level.DEBUG,
                    "connected socket for {0} to {1} refused: {2}", peer, remote, e.toString());
            return null;
        }
    }

    private void retire(Counters c) {
        synchronized (retiredCounters) {
            if (liveCounters.remove(c)) {
                c.addTo(retiredCounters);
            }
        }
    }

    private void retire(UdpSocket s) {
        synchronized (retiredCounters) {
            if (liveLinkSockets.remove(s)) {
                for (IoCounter ic : IoCounter.values()) {
                    retiredIo[ic.ordinal()] += s.counters().get(ic);
                }
            }
        }
    }

    // ------------------------------------------------------------------ peers and routes

    private PeerHandle addPeer(PeerConfig p) {
        PeerEngine engine = device.addPeer(p.publicKey(), p.presharedKey().orElse(null));
        PeerHandle h = new PeerHandle(p.publicKey(), engine, p);
        h.ref = system.spawn(Props.<PeerMsg>of(ctx -> new PeerActor(ctx, this, h))
                .withBoundedMailbox(config.settings().mailboxCapacity(), Overflow.DROP_NEWEST)
                .withSupervisor(SupervisorStrategy.resume()), "peer-" + p.publicKey().toBase64().substring(0, 8));
        engine.attach(h); // after ref is set: the router reads ref through the attachment
        peers.put(p.publicKey(), h);
        return h;
    }

    private void removePeer(PeerHandle h) {
        peers.remove(h.key, h);
        device.removePeer(h.key);
        retired.add(h);
        h.ref.tell(new PeerMsg.Retire());
    }

    private void publishRoutes(Config c) {
        AllowedIps<PeerHandle> table = new AllowedIps<>();
        for (PeerConfig p : c.peers()) {
            PeerHandle h = peers.get(p.publicKey());
            for (IpPrefix prefix : p.allowedIps()) {
                table.insert(prefix.addressBytes(), prefix.bits(), h);
            }
        }
        routes = table.freeze();
    }

    /** See {@link io.switchyard.router.Hub#apply}. */
    public synchronized void apply(Config next) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        ConfigDiff diff = ConfigDiff.between(config, next);
        if (diff.requiresRestart()) {
            throw new IllegalArgumentException("cannot apply to a running hub (restart it instead): "
                    + String.join("; ", diff.restartReasons()));
        }
        for (PeerConfig p : diff.removed()) {
            PeerHandle h = peers.get(p.publicKey());
            if (h != null) {
                removePeer(h);
            }
        }
        for (ConfigDiff.PeerChange c : diff.changed()) {
            PeerHandle h = peers.get(c.publicKey());
            if (c.fields().contains(ConfigDiff.PeerField.PRESHARED_KEY)) {
                // The preshared key is part of the Noise state: a new peer, its session ends.
                removePeer(h);
                addPeer(c.after());
            } else {
                h.config = c.after();
                h.ref.tell(new PeerMsg.Update(c.after()));
            }
        }
        for (PeerConfig p : diff.added()) {
            addPeer(p);
        }
        publishRoutes(next);
        local.setAddresses(next.iface().addresses());
        local.setMtu(next.iface().mtu());
        config = next;
    }

    /** What {@link #updatePeers} does. */
    public enum PeerEdit {
        ADD,
        UPDATE,
        REMOVE
    }

    /** One peer added, replaced or removed, atomically with respect to other changes (see {@link #apply}). */
    public synchronized boolean updatePeers(PeerConfig peer, Key32 remove, PeerEdit edit) {
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

    // ------------------------------------------------------------------ events

    HubEvents events() {
        return events;
    }

    /** See {@link io.switchyard.router.Hub#subscribe}. */
    public synchronized AutoCloseable subscribe(java.util.function.Consumer<? super io.switchyard.router.HubEvent> listener) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        AutoCloseable s = events.subscribe(java.util.Objects.requireNonNull(listener, "listener"),
                "hub-" + config.name() + "-events-" + events.subscribers());
        if (dropSampler == null) {
            // The baseline is now: drops before the first subscription are not news.
            Map<PeerHandle, long[]> baseline = peerDrops();
            long[] hubBaseline = hubOnlyDrops();
            dropSampler = Thread.ofVirtual().name("hub-" + config.name() + "-drop-sampler")
                    .start(() -> sampleDrops(baseline, hubBaseline));
        }
        return s;
    }

    /**
     * Once a second while anyone subscribes: the drops of each peer, and of the hub itself, since
     * the last second, as {@link io.switchyard.router.HubEvent.Drops} (non-zero ones only).
     */
    private void sampleDrops(Map<PeerHandle, long[]> last, long[] lastHub) {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            Map<PeerHandle, long[]> next = peerDrops();
            long[] hub = hubOnlyDrops();
            if (events.active()) {
                java.time.Instant now = java.time.Instant.now();
                for (Map.Entry<PeerHandle, long[]> e : next.entrySet()) {
                    Map<io.switchyard.router.DropReason, Long> delta = delta(e.getValue(), last.get(e.getKey()));
                    if (!delta.isEmpty()) {
                        events.publish(new io.switchyard.router.HubEvent.Drops(now, Optional.of(e.getKey().key), delta));
                    }
                }
                Map<io.switchyard.router.DropReason, Long> delta = delta(hub, lastHub);
                if (!delta.isEmpty()) {
                    events.publish(new io.switchyard.router.HubEvent.Drops(now, Optional.empty(), delta));
                }
            }
            last = next;
            lastHub = hub;
        }
    }

    /** Each configured peer's counters now. */
    private Map<PeerHandle, long[]> peerDrops() {
        Map<PeerHandle, long[]> m = new java.util.IdentityHashMap<>();
        for (PeerHandle h : peers.values()) {
            long[] pt = new long[Counters.SIZE];
            h.counters.addTo(pt);
            m.put(h, pt);
        }
        return m;
    }

    /** The drops no peer is blamed for: the hub's total less every peer's (retired ones included). */
    private long[] hubOnlyDrops() {
        long[] out = new long[Counters.SIZE];
        stats().drops().forEach((r, c) -> out[r.ordinal()] = c);
        List<PeerHandle> all = new ArrayList<>(peers.values());
        all.addAll(retired);
        for (PeerHandle h : all) {
            for (DropReason r : DropReason.values()) {
                out[Counters.slot(r)] -= h.counters.get(r);
            }
        }
        return out;
    }

    /** Non-zero drop differences {@code now - before} (all of {@code now} when before is null). */
    private static Map<io.switchyard.router.DropReason, Long> delta(long[] now, long[] before) {
        Map<io.switchyard.router.DropReason, Long> d = new java.util.EnumMap<>(io.switchyard.router.DropReason.class);
        for (io.switchyard.router.DropReason r : io.switchyard.router.DropReason.values()) {
            long v = now[r.ordinal()] - (before == null ? 0 : before[r.ordinal()]);
            if (v != 0) {
                d.put(r, v);
            }
        }
        return d;
    }

    // ------------------------------------------------------------------ local endpoints

    LocalStack local() {
        return local;
    }

    /** See {@link io.switchyard.router.Hub#bindUdp}. */
    public synchronized io.switchyard.router.OverlayUdpEndpoint bindUdp(InetAddress address, int port,
            ActorRef<? super io.switchyard.router.OverlayDatagram> receiver) {
        if (closed) {
            throw new IllegalStateException("the hub is closed");
        }
        return local.bind(address, port, receiver);
    }

    // ------------------------------------------------------------------ for the parts

    Device device() {
        return device;
    }

    PacketPools buffers() {
        return buffers;
    }

    Transmitter transmitter() {
        return transmitter;
    }

    HandshakeWorkers workers() {
        return workers;
    }

    FrozenAllowedIps<PeerHandle> routes() {
        return routes;
    }

    /** Whether {@link #close} has begun. */
    boolean isClosing() {
        return closed;
    }

    boolean forceUnderLoad() {
        return forceUnderLoad;
    }

    private volatile boolean linkReceiversPaused;

    boolean linkReceiversPaused() {
        return linkReceiversPaused;
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

    public InetSocketAddress localAddress() {
        return listen[0].localAddress();
    }

    public Config config() {
        return config;
    }

    public HubStats stats() {
        long[] t = new long[Counters.SIZE];
        long[] io = new long[IoCounter.values().length];
        synchronized (retiredCounters) {
            for (Counters c : liveCounters) {
                c.addTo(t);
            }
            for (int i = 0; i < Counters.SIZE; i++) {
                t[i] += retiredCounters[i];
            }
            for (IoCounter ic : IoCounter.values()) {
                long v = retiredIo[ic.ordinal()];
                for (UdpSocket l : listen) {
                    v += l.counters().get(ic);
                }
                for (UdpSocket l : liveLinkSockets) {
                    v += l.counters().get(ic);
                }
                io[ic.ordinal()] = v;
            }
        }
        // Receivers count RX, transmitters TX: the totals of where datagrams arrive and leave.
        long rxPackets = t[Counters.slot(HubCounter.RX_PACKETS)];
        long rxBytes = t[Counters.slot(HubCounter.RX_BYTES)];
        long txPackets = t[Counters.slot(HubCounter.TX_PACKETS)] + transmitter.counters.get(HubCounter.TX_PACKETS);
        long txBytes = t[Counters.slot(HubCounter.TX_BYTES)] + transmitter.counters.get(HubCounter.TX_BYTES);
        synchronized (workers.counters) {
            workers.counters.addTo(t);
        }
        transmitter.counters.addTo(t);
        var peerStats = new ArrayList<PeerStats>();
        Config c = config;
        for (PeerConfig p : c.peers()) {
            PeerHandle h = peers.get(p.publicKey());
            if (h == null) {
                continue;
            }
            long[] pt = new long[Counters.SIZE];
            h.counters.addTo(pt);
            addAllButTraffic(t, pt);
            peerStats.add(new PeerStats(h.key, Optional.ofNullable(h.endpoint), h.engine.lastHandshake(),
                    pt[Counters.slot(HubCounter.RX_PACKETS)], pt[Counters.slot(HubCounter.RX_BYTES)],
                    pt[Counters.slot(HubCounter.TX_PACKETS)], pt[Counters.slot(HubCounter.TX_BYTES)],
                    p.allowedIps(), p.persistentKeepalive(), Counters.drops(pt)));
        }
        for (PeerHandle h : retired) {
            long[] pt = new long[Counters.SIZE];
            h.counters.addTo(pt);
            addAllButTraffic(t, pt);
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
        long mailboxTotal = 0;
        long mailboxMax = 0;
        for (PeerHandle h : peers.values()) {
            int d = h.ref.mailboxSize();
            mailboxTotal += d;
            mailboxMax = Math.max(mailboxMax, d);
        }
        long listenRx = 0;
        for (Counters lc : listenCounters) {
            listenRx += lc.get(HubCounter.RX_PACKETS);
        }
        for (HubMetric m : HubMetric.values()) {
            long v = switch (m) {
                case PEERS -> peers.size();
                case HANDSHAKE_QUEUE_DEPTH -> workers.depth();
                case MAILBOX_PEERS_DEPTH -> mailboxTotal;
                case MAILBOX_PEERS_MAX_DEPTH -> mailboxMax;
                case POOL_IN_USE -> buffers.inUse();
                case POOL_CAPACITY -> buffers.capacity();
                case POOL_LARGE_IN_USE -> buffers.largeInUse();
                case POOL_LARGE_CAPACITY -> buffers.largeCapacity();
                case LISTEN_SOCKETS -> listen.length;
                case EVENTS_SUBSCRIBERS -> events.subscribers();
                case LOCAL_ADDRESSES -> config.iface().addresses().size();
                case LOCAL_UDP_PORTS -> local.bindings();
                case LINKS_OPEN -> liveLinkSockets.size();
                case LINKS_RX_PACKETS -> rxPackets - listenRx;
                case LINKS_RECEIVE_BATCHES -> linkBatches.created();
                default -> hubCounts.get(m);
            };
            metrics.add(Metric.of("", m, v));
        }
        metrics.addAll(zerocopyCounters.metrics("zerocopy"));
        for (IoCounter ic : IoCounter.values()) {
            metrics.add(Metric.of("io", ic, io[ic.ordinal()]));
        }
        metrics.addAll(system.counterSet().metrics("actor"));
        return new HubStats(rxPackets, rxBytes, txPackets, txBytes, t[Counters.slot(HubCounter.HANDSHAKES)],
                t[Counters.slot(HubCounter.COOKIE_REPLIES)], Counters.drops(t), metrics, peerStats);
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

    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        events.close(); // subscribers see no removals for a hub that stops
        if (dropSampler != null) {
            dropSampler.interrupt();
        }
        for (UdpSocket l : listen) {
            l.close(); // wakes its router actor, which stops
        }
        workers.close();
        for (PeerHandle h : peers.values()) {
            h.ref.tell(new PeerMsg.Retire());
        }
        system.shutdown(Duration.ofSeconds(5));
        transmitter.close();
        linkBatches.close();
        opener.close();
        // The pool's memory is left to the GC: a buffer still held by a stuck actor must not
        // point at freed native memory.
    }
}
