package io.switchyard.router.hub;

import io.switchyard.actors.ActorCounter;
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
import io.switchyard.io.IoCounter;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SockAddr;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import io.switchyard.router.peer.Device;
import io.switchyard.router.peer.PeerEngine;
import io.switchyard.router.routing.AllowedIps;
import io.switchyard.router.routing.FrozenAllowedIps;
import io.switchyard.zerocopy.MpmcBufferPool;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.ZerocopyCounter;
import io.switchyard.zerocopy.ZerocopyCounters;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running hub behind {@link io.switchyard.router.Hub}: the socket opener thread, the listen
 * socket, the buffer pool (with a {@link ByteBuffer} view and a source address per buffer, made
 * once), the {@link Device}, one {@link PeerHandle} and {@link PeerActor} per peer, the routing
 * snapshot, the {@link RouterActor}, the {@link HandshakeWorkers} and the {@link Transmitter}.
 *
 * <p>Routing: the trie is rebuilt from the whole configuration on every {@link #apply} and
 * published as an immutable {@link FrozenAllowedIps} through a volatile field; peer actors read
 * it once per batch. Mutations ({@link #apply}, {@link #close}) are serialized on this object.
 */
public final class HubCore {
    /** Buffers in the pool: 16 MiB of 2 KiB slots. */
    static final int POOL_SLOTS = 8192;

    private final SocketOpener opener;
    private final UdpSocket socket;
    private final MpmcBufferPool pool;
    private final ZerocopyCounters poolCounters = new ZerocopyCounters();
    private final ByteBuffer[] views;
    private final SockAddr[] sources;
    private final Device device;
    private final ActorSystem system;
    private final Transmitter transmitter;
    private final HandshakeWorkers workers;
    private final Counters routerCounters = new Counters();
    private final ConcurrentHashMap<Key32, PeerHandle> peers = new ConcurrentHashMap<>();
    /** Removed peers, kept so that totals never go down. */
    private final List<PeerHandle> retired = new CopyOnWriteArrayList<>();
    private volatile FrozenAllowedIps<PeerHandle> routes;
    private volatile Config config;
    private volatile boolean forceUnderLoad;
    private boolean closed;

    private HubCore(Config config, SocketOpener opener, UdpSocket socket) {
        this.config = config;
        this.opener = opener;
        this.socket = socket;
        RouterSettings s = config.settings();
        this.pool = MpmcBufferPool.mtu(POOL_SLOTS, false, poolCounters);
        this.views = new ByteBuffer[pool.capacity()];
        this.sources = new SockAddr[pool.capacity()];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = SockAddr.allocate();
        }
        this.device = new Device(config.iface().privateKey());
        this.system = ActorSystem.create("hub-" + config.name());
        this.transmitter = new Transmitter(socket, s.gso());
        this.workers = new HandshakeWorkers(this, s.handshakeWorkers(), s.handshakeQueueSize());
    }

    /** Opens the listen socket on a new opener thread and starts everything. */
    public static HubCore start(Config config) throws IOException {
        SocketOpener opener = new SocketOpener("hub-" + config.name() + "-sockets");
        UdpSocket socket;
        try {
            socket = openListen(opener, config);
        } catch (IOException | RuntimeException e) {
            opener.close();
            throw e;
        }
        HubCore core;
        try {
            core = new HubCore(config, opener, socket);
            core.startActors();
        } catch (RuntimeException e) {
            socket.close();
            opener.close();
            throw e;
        }
        return core;
    }

    private static UdpSocket openListen(SocketOpener opener, Config config) throws IOException {
        RouterSettings s = config.settings();
        int port = config.iface().listenPort();
        Transport transport = switch (s.transport()) {
            case AUTO -> Transport.AUTO;
            case NATIVE -> Transport.NATIVE;
            case NIO -> Transport.NIO;
        };
        UdpOptions o = UdpOptions.create().transport(transport).gso(s.gso()).gro(s.gro())
                .receiveBuffer(s.socketBufferSize()).sendBuffer(s.socketBufferSize());
        try {
            // Dual stack first; a namespace without IPv6 cannot bind "::".
            return opener.open(o.bind(new InetSocketAddress(InetAddress.getByName("::"), port)));
        } catch (IOException e) {
            return opener.open(o.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port)));
        }
    }

    private void startActors() {
        for (PeerConfig p : config.peers()) {
            addPeer(p);
        }
        publishRoutes(config);
        RouterSettings s = config.settings();
        int slot = s.gro() && socket.groEnabled() ? RecvBatch.GRO_SLOT_SIZE : MpmcBufferPool.MTU_SLOT_BYTES;
        RecvBatch batch = new RecvBatch(s.batchSize(), slot);
        ActorRef<Object> router = system.spawn(Props.<Object>of(ctx -> new RouterActor(ctx, this, socket, batch, routerCounters))
                .withDedicatedThread(true)
                .withSupervisor(SupervisorStrategy.resume())
                .withUnboundedMailbox(), "router");
        router.tell(RouterActor.POLL);
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
        config = next;
    }

    // ------------------------------------------------------------------ for the parts

    Device device() {
        return device;
    }

    MpmcBufferPool pool() {
        return pool;
    }

    int slotBytes() {
        return pool.slotBytes();
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

    /** A direct {@link ByteBuffer} over the whole slot of {@code b}, made once per slot. */
    ByteBuffer view(PacketBuffer b) {
        ByteBuffer v = views[b.index()];
        if (v == null) {
            v = b.slot().asByteBuffer();
            views[b.index()] = v;
        }
        return v;
    }

    /** Where the datagram in {@code b} came from (written by the router actor). */
    SockAddr source(PacketBuffer b) {
        return sources[b.index()];
    }

    boolean forceUnderLoad() {
        return forceUnderLoad;
    }

    /** Test seam: treat every handshake as arriving under load (mac2 and cookies required). */
    public void setForceUnderLoad(boolean on) {
        forceUnderLoad = on;
    }

    // ------------------------------------------------------------------ the public face

    public InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    public Config config() {
        return config;
    }

    public HubStats stats() {
        long[] t = new long[Counters.SIZE];
        routerCounters.addTo(t);
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
                    pt[Counters.RX_PACKETS], pt[Counters.RX_BYTES], pt[Counters.TX_PACKETS], pt[Counters.TX_BYTES],
                    p.allowedIps(), p.persistentKeepalive(), Counters.drops(pt)));
        }
        for (PeerHandle h : retired) {
            long[] pt = new long[Counters.SIZE];
            h.counters.addTo(pt);
            addAllButTraffic(t, pt);
        }
        // rx is counted where datagrams arrive, tx where they leave: the router and the socket.
        t[Counters.RX_PACKETS] = routerCounters.get(Counters.RX_PACKETS);
        t[Counters.RX_BYTES] = routerCounters.get(Counters.RX_BYTES);
        t[Counters.TX_PACKETS] = transmitter.counters.get(Counters.TX_PACKETS);
        t[Counters.TX_BYTES] = transmitter.counters.get(Counters.TX_BYTES);

        Map<String, Long> named = new LinkedHashMap<>();
        named.put("forwarded", t[Counters.FORWARDED]);
        named.put("consumed", t[Counters.CONSUMED]);
        named.put("peers", (long) peers.size());
        named.put("handshake.queue_depth", (long) workers.depth());
        long mailboxTotal = 0;
        long mailboxMax = 0;
        for (PeerHandle h : peers.values()) {
            int d = h.ref.mailboxSize();
            mailboxTotal += d;
            mailboxMax = Math.max(mailboxMax, d);
        }
        named.put("mailbox.peers.depth", mailboxTotal);
        named.put("mailbox.peers.max_depth", mailboxMax);
        named.put("pool.in_use", (long) pool.inUse());
        named.put("pool.capacity", (long) pool.capacity());
        for (ZerocopyCounter zc : ZerocopyCounter.values()) {
            named.put("zerocopy." + zc.name().toLowerCase(Locale.ROOT), poolCounters.get(zc));
        }
        for (IoCounter ic : IoCounter.values()) {
            named.put("io." + ic.name().toLowerCase(Locale.ROOT), socket.counters().get(ic));
        }
        for (ActorCounter ac : ActorCounter.values()) {
            named.put("actor." + ac.label(), system.counter(ac));
        }
        return new HubStats(t[Counters.RX_PACKETS], t[Counters.RX_BYTES], t[Counters.TX_PACKETS], t[Counters.TX_BYTES],
                t[Counters.HANDSHAKES], t[Counters.COOKIE_REPLIES], Counters.drops(t), named, peerStats);
    }

    private static void addAllButTraffic(long[] into, long[] peer) {
        for (int i = 0; i < Counters.SIZE; i++) {
            if (i != Counters.RX_PACKETS && i != Counters.RX_BYTES && i != Counters.TX_PACKETS && i != Counters.TX_BYTES) {
                into[i] += peer[i];
            }
        }
    }

    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.close(); // wakes the router actor, which stops
        workers.close();
        for (PeerHandle h : peers.values()) {
            h.ref.tell(new PeerMsg.Retire());
        }
        system.shutdown(Duration.ofSeconds(5));
        transmitter.close();
        opener.close();
        // The pool's memory is left to the GC: a buffer still held by a stuck actor must not
        // point at freed native memory.
    }
}
