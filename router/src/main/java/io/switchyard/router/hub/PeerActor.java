package io.switchyard.router.hub;

import io.switchyard.actors.Actor;
import io.switchyard.actors.ActorContext;
import io.switchyard.actors.Cancellable;
import io.switchyard.actors.NanoClock;
import io.switchyard.config.PeerConfig;
import io.switchyard.io.SockAddr;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.router.HubEvent;
import io.switchyard.router.HubMetric;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.ip.InnerPacket;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.wireguard.peer.StagingQueue;
import io.switchyard.wireguard.routing.FrozenAllowedIps;
import io.switchyard.wireguard.timers.PeerTimers;
import io.switchyard.zerocopy.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;

/**
 * The actor of one peer: owns its {@link PeerEngine}, its endpoint, its staged packets and its
 * outbound train. Activated on a virtual thread when told something; an idle peer costs memory.
 *
 * <pre>
 *  Inbound (from the router actor, this peer's transport messages):
 *    open in place (replay checked, window moved only if authentic) ─▶ roam to the source
 *    ─▶ keepalive? consumed ─▶ trim to the IP total length ─▶ inner source must be in this
 *    peer's AllowedIPs ─▶ trie lookup of the inner destination (none: NO_ROUTE; this peer:
 *    REFLECTED; one of the hub's own addresses: the local endpoint actor) ─▶ append to that
 *    destination's Outbound batch
 *    end of batch: one offer per destination, one wake-up each (Fanout)
 *  Outbound (from other peer actors, packets for this peer):
 *    seal in place with this peer's counter ─▶ append to the train
 *    no session: stage (bounded; oldest dropped) and start a handshake if the endpoint is known
 *  onDrain: flush the train: through this peer's connected socket (its {@link PeerLink}, opened
 *    once the endpoint is authenticated) when there is one, else through the listen socket; GSO
 *    trains (or sendmmsg), MSG_ZEROCOPY for large trains while it pays
 *  HandshakeDone (from a worker): install the keys, roam, send the response if we responded
 *  Tick: the engine's timers (retransmit, keepalive, rekey, zeroing) and their actions
 * </pre>
 * A removed peer retires: it drops what is staged, releases (and counts) whatever still reaches
 * it, and stops a second later, after the router and the other peers stopped sending to it.
 *
 * <p>Why one file of about 600 lines: one actor's state and its transitions; the inbound, outbound,
 * handshake and timer paths all read and move the same endpoint, session, roaming and link state,
 * which must be seen together to see that per-peer order holds. The outbound train is its own class
 * ({@link OutboundTrain}), the connected socket too ({@link PeerLink}).
 */
final class PeerActor implements Actor<PeerMsg> {
    private static final int HEADER = Messages.TRANSPORT_PAYLOAD;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(1);
    private static final long LINK_REOPEN_NANOS = 1_000_000_000L;
    private static final long LINK_RETRY_NANOS = 10_000_000_000L;

    private final ActorContext<PeerMsg> context;
    private final Wiring hub;
    private final PeerHandle me;
    private final PeerEngine engine;
    private final Counters counters;
    /** Where this peer is (native, for the send calls); made when first known: most configured peers of a big hub never appear. */
    private SockAddr endpoint;
    private PeerConfig applied;
    private final StagingQueue<PacketBuffer> staged = new StagingQueue<>(StagingQueue.DEFAULT_CAPACITY);

    private final OutboundTrain train = new OutboundTrain();

    /**
     * The receiver index and counter of the packet that last set the endpoint. A packet roams
     * the peer only if it is newer (a higher counter on that keypair, or another keypair): the
     * receivers of the listen sockets and of the peer's connected socket hand over batches
     * independently, so a packet from a peer's old address can be processed after one from its
     * new address, and must not move the endpoint back (as in a NAT rebinding with packets
     * still in flight from the old port).
     */
    private int roamIndex;
    private long roamCounter = -1;
    /** Whether the endpoint was learned from an authenticated message (not only configured). */
    private boolean endpointAuthenticated;
    /** This peer's connected socket, or null (then the listen socket carries its traffic). */
    private PeerLink link;
    /** No new link before this time: one open per second at most, longer after a failure. */
    private long linkNotBefore;
    private final boolean connectedSockets;

    /** Made on the first inbound batch. */
    private Outbox outbox;

    /** Whether the peer has a session (for PeerUp / PeerDown events), and since when. */
    private boolean up;
    private long lastHandshakeAt;
    private Cancellable sessionCheck;
    private final HubEvents events;
    private Cancellable tick;
    private long tickAt;
    private boolean retired;

    /**
     * What a peer actor uses: the clock its timers read, the routing table, the packet buffers
     * (for keepalives), the listen sockets' transmitter, the connected-socket factory (null when
     * {@code ConnectedSockets = off}), the hub's own addresses, and the event subscribers.
     */
    record Wiring(NanoClock clock, Routes routes, PacketPools buffers, Transmitter listen, Links links,
                  LocalStack local, HubEvents events) {}

    PeerActor(ActorContext<PeerMsg> context, Wiring hub, PeerHandle me) {
        this.context = context;
        this.hub = hub;
        this.me = me;
        this.engine = me.engine;
        this.counters = me.counters;
        this.connectedSockets = hub.links() != null;
        this.events = hub.events();
    }

    @Override
    public void preStart() {
        if (events.active()) {
            events.publish(new HubEvent.PeerAdded(Instant.now(), me.key));
        }
        applyConfig();
        afterMessage();
    }

    @Override
    public void receive(PeerMsg message) {
        if (me.config != applied && !retired) {
            applyConfig();
        }
        switch (message) {
            case PeerMsg.Inbound in -> inbound(in);
            case PeerMsg.Outbound out -> outbound(out);
            case PeerMsg.HandshakeDone done -> handshakeDone(done);
            case PeerMsg.Tick t -> {
                tick = null;
                perform(engine.advanceTimers(hub.clock().nanoTime()));
            }
            case PeerMsg.Update u -> { } // applied above: the handle holds the latest config
            case PeerMsg.SessionCheck c -> sessionCheck();
            case PeerMsg.ErrorQueueReadable e -> {
                if (link != null) {
                    link.readErrorQueue();
                }
            }
            case PeerMsg.Retire r -> retire();
            case PeerMsg.StopNow s -> context.stop();
        }
        afterMessage();
    }

    @Override
    public void onDrain() {
        flush();
    }

    @Override
    public void postStop() {
        flush();
        closeLink();
        dropStaged(DropReason.HANDSHAKE_GAVE_UP);
        if (tick != null) {
            tick.cancel();
        }
    }

    // ------------------------------------------------------------------ inbound

    private void inbound(PeerMsg.Inbound in) {
        hub.buffers().shares().releaseInbound(me, in.size); // out of the mailbox: the receiver charged them to this peer
        long now = hub.clock().nanoTime();
        if (outbox == null) {
            outbox = new Outbox(hub.buffers().shares(), me);
        }
        FrozenAllowedIps<PeerHandle> routes = hub.routes().current();
        LocalStack.Addresses local = hub.local().addresses();
        int mtu = hub.local().mtu();
        boolean anyLocal = !local.isEmpty();
        for (int k = 0; k < in.size; k++) {
            PacketBuffer b = in.buffers[k];
            in.buffers[k] = null;
            if (retired) {
                drop(b, DropReason.PEER_QUEUE_FULL);
                continue;
            }
            ByteBuffer view = b.view();
            int off = b.offset();
            int n = engine.open(view, off, b.length(), now);
            if (n < 0) {
                drop(b, switch (n) {
                    case PeerEngine.BAD_TAG -> DropReason.BAD_TAG;
                    case PeerEngine.REPLAYED -> DropReason.REPLAYED;
                    case PeerEngine.EXPIRED -> DropReason.EXPIRED;
                    case PeerEngine.UNKNOWN_INDEX -> DropReason.UNKNOWN_INDEX;
                    default -> DropReason.MALFORMED;
                });
                continue;
            }
            counters.inc(HubCounter.RX_PACKETS);
            counters.add(HubCounter.RX_BYTES, b.length());
            MemorySegment seg = b.slot();
            long counter = seg.get(LE_LONG, off + Messages.TRANSPORT_COUNTER);
            int index = seg.get(LE_INT, off + Messages.TRANSPORT_RECEIVER);
            if (index != roamIndex || Long.compareUnsigned(counter, roamCounter) > 0) {
                roamIndex = index;
                roamCounter = counter;
                roamTo(b.source());
            }
            if (n == 0) {
                counters.inc(HubCounter.CONSUMED); // keepalive
                b.release();
                continue;
            }
            long ip = off + HEADER;
            int total = InnerPacket.totalLength(seg, ip, n);
            if (total < 0) {
                drop(b, DropReason.INNER_MALFORMED);
                continue;
            }
            boolean v4 = InnerPacket.isIpv4(seg, ip);
            if (total > mtu && mtu > 0 && (!v4 || InnerPacket.dontFragment(seg, ip))) {
                tooBig(b, ip, total, v4, now);
                continue;
            }
            boolean owned = v4 ? routes.ownsV4(seg, ip + InnerPacket.V4_SRC, me)
                    : routes.ownsV6(seg, ip + InnerPacket.V6_SRC, me);
            if (!owned) {
                drop(b, DropReason.SPOOFED_SOURCE);
                continue;
            }
            PeerHandle dest;
            int keep;
            if (anyLocal && (v4 ? local.local4(seg, ip + InnerPacket.V4_DST) : local.local6(seg, ip + InnerPacket.V6_DST))) {
                dest = hub.local().handle; // the hub's own address: its local endpoint actor answers
                keep = total;
            } else {
                dest = v4 ? routes.lookupV4(seg, ip + InnerPacket.V4_DST) : routes.lookupV6(seg, ip + InnerPacket.V6_DST);
                // Forwarded with the sender's padding (at most 15 bytes of it, zeroed): never
                // longer than it arrived. Padding up to 16 again would make a 1,420-byte packet
                // from a 1,420-MTU client 1,424 bytes, whose 1,456-byte datagram (+48 bytes of
                // IPv6 and UDP headers) no longer fits a 1,500-byte path.
                keep = PeerEngine.paddedLength(total, n);
                for (long z = ip + total, end = ip + keep; z < end; z++) {
                    seg.set(ValueLayout.JAVA_BYTE, z, (byte) 0);
                }
            }
            if (dest == null) {
                drop(b, DropReason.NO_ROUTE);
                continue;
            }
            if (dest == me) {
                drop(b, DropReason.REFLECTED);
                continue;
            }
            b.window(off, HEADER + keep);
            if (!outbox.add(dest, b, in.size)) {
                drop(b, DropReason.PEER_OVER_QUOTA); // the destination holds its share already
            }
        }
        outbox.handOff(counters);
    }

    /**
     * An inner packet above the interface MTU that may not be fragmented (IPv6, or IPv4 with DF):
     * dropped, and answered as a router with that link MTU answers, with an ICMP "fragmentation
     * needed" / ICMPv6 "packet too big" back to its source, so that TCP lowers its segment size.
     * The source is this peer (its inner source was checked first). At most
     * {@value #TOO_BIG_BURST} answers at once and {@value #TOO_BIG_PER_SECOND} a second per peer.
     */
    private void tooBig(PacketBuffer b, long ip, int total, boolean v4, long now) {
        boolean owned = v4 ? hub.routes().current().ownsV4(b.slot(), ip + InnerPacket.V4_SRC, me)
                : hub.routes().current().ownsV6(b.slot(), ip + InnerPacket.V6_SRC, me);
        PacketBuffer answer = null;
        if (owned && tooBigTokens(now)) {
            answer = hub.local().packetTooBig(b, ip, total, v4);
        } else if (owned) {
            hub.local().counts.increment(HubMetric.LOCAL_TOO_BIG_UNANSWERED);
        }
        drop(b, owned ? DropReason.INNER_TOO_BIG : DropReason.SPOOFED_SOURCE);
        if (answer != null) {
            sealAndQueue(answer, now, true);
        }
    }

    private static final int TOO_BIG_BURST = 10;
    private static final int TOO_BIG_PER_SECOND = 10;
    private long tooBigRefillAt;
    private int tooBigTokens = TOO_BIG_BURST;

    private boolean tooBigTokens(long now) {
        long elapsed = now - tooBigRefillAt;
        if (elapsed >= 1_000_000_000L / TOO_BIG_PER_SECOND) {
            int add = (int) Math.min(TOO_BIG_BURST, elapsed / (1_000_000_000L / TOO_BIG_PER_SECOND));
            tooBigTokens = Math.min(TOO_BIG_BURST, tooBigTokens + add);
            tooBigRefillAt = now;
        }
        if (tooBigTokens == 0) {
            return false;
        }
        tooBigTokens--;
        return true;
    }

    private void roamTo(SockAddr source) {
        if (!hasEndpoint() || !endpoint.equals(source)) {
            InetSocketAddress before = me.endpoint;
            if (endpoint == null) {
                endpoint = SockAddr.allocate();
            }
            endpoint.copyFrom(source.segment(), 0);
            me.endpoint = endpoint.toInetSocketAddress();
            endpointChanged(before, me.endpoint);
        }
        endpointAuthenticated = true;
    }

    /** Whether an endpoint is known: the native address is made when the first one is. */
    private boolean hasEndpoint() {
        return endpoint != null;
    }

    private void endpointChanged(InetSocketAddress before, InetSocketAddress after) {
        if (before != null && events.active()) {
            events.publish(new HubEvent.EndpointChanged(Instant.now(), me.key, before, after));
        }
    }

    /** Sets the endpoint from an address object; a new one only if it differs. */
    private void setEndpoint(InetSocketAddress a, boolean authenticated) {
        if (!hasEndpoint() || !a.equals(me.endpoint)) {
            InetSocketAddress before = me.endpoint;
            if (endpoint == null) {
                endpoint = SockAddr.allocate();
            }
            endpoint.set(a, hub.listen().mapToIpv6());
            me.endpoint = a;
            endpointAuthenticated = authenticated;
            if (authenticated) {
                endpointChanged(before, a);
            }
        } else if (authenticated) {
            endpointAuthenticated = true;
        }
    }

    // ------------------------------------------------------------------ the connected socket

    /**
     * The link to send through now: the current one while it still points at the endpoint;
     * otherwise (roamed, reconfigured) it is closed, and a new one is opened when connected
     * sockets are on, the endpoint is authenticated and the last open was long enough ago.
     * Checked before every flush and after every message, so that a peer that only sends to us
     * (whose traffic the hub never answers) gets its own socket too.
     */
    private PeerLink linkForSend(long now) {
        PeerLink l = link;
        if (l != null && l.remote != me.endpoint) {
            closeLink(); // the endpoint changed: a socket connected elsewhere must not carry it
            l = null;
        }
        if (l == null && endpointAuthenticated && hasEndpoint() && !retired && connectedSockets
                && now - linkNotBefore >= 0) {
            linkNotBefore = now + LINK_REOPEN_NANOS;
            l = hub.links().open(me, me.endpoint);
            if (l == null) {
                linkNotBefore = now + LINK_RETRY_NANOS;
            } else {
                link = l;
                l.watchErrorQueue(context.self(), PeerMsg.ERROR_QUEUE_READABLE, "zerocopy-watch-" + context.self().name());
            }
        }
        return l;
    }

    private void closeLink() {
        if (link != null) {
            link.close();
            link = null;
        }
    }

    // ------------------------------------------------------------------ outbound

    private void outbound(PeerMsg.Outbound out) {
        hub.buffers().shares().releaseOutbound(out.from, me, out.size); // out of the mailbox: the sender charged them to this peer
        long now = hub.clock().nanoTime();
        for (int k = 0; k < out.size; k++) {
            PacketBuffer b = out.buffers[k];
            out.buffers[k] = null;
            if (retired) {
                drop(b, DropReason.PEER_QUEUE_FULL);
                continue;
            }
            sealAndQueue(b, now, true);
        }
    }

    /**
     * Seals {@code b} (window = header room + IP packet, padded by whoever made or forwarded it)
     * and queues it; stages it without a session. Adds no padding: the datagram leaves exactly
     * as long as the sender's (or {@link LocalStack}'s) plaintext, so it fits where that did.
     */
    private void sealAndQueue(PacketBuffer b, long now, boolean forwarded) {
        int plain = b.length() - HEADER;
        int r = engine.seal(b.view(), b.offset(), plain, plain, now);
        if (r == PeerEngine.NO_SESSION) {
            stage(b);
            return;
        }
        if (r < 0) {
            drop(b, DropReason.INNER_MALFORMED);
            return;
        }
        b.window(b.offset(), r);
        queue(b, forwarded);
    }

    private void stage(PacketBuffer b) {
        if (!hasEndpoint()) {
            drop(b, DropReason.NO_ENDPOINT);
            return;
        }
        if (staged.size() < StagingQueue.DEFAULT_CAPACITY && !hub.buffers().stage()) {
            // A quarter of the pool waits for sessions already: packets for offline peers must
            // not take the buffers live traffic needs (a peer spraying the overlay did).
            drop(b, DropReason.STAGING_OVERFLOW);
            return;
        }
        PacketBuffer evicted = staged.offer(b); // when full, the oldest makes room: the count stays
        if (evicted != null) {
            drop(evicted, DropReason.STAGING_OVERFLOW);
        }
    }

    /** Drops every staged packet for {@code reason}, giving back the staging places. */
    private void dropStaged(DropReason reason) {
        int n = staged.size();
        staged.drain(b -> drop(b, reason));
        hub.buffers().unstage(n);
    }

    private void queue(PacketBuffer b, boolean forwarded) {
        if (train.add(b, forwarded)) {
            flush();
        }
    }

    /** Sends the train through the peer's link, or the listen socket to its endpoint. */
    private void flush() {
        if (!train.isEmpty()) {
            PeerLink l = hasEndpoint() ? linkForSend(hub.clock().nanoTime()) : null;
            train.send(l, hub.listen(), endpoint, counters, me.key);
        }
    }

    // ------------------------------------------------------------------ handshakes, timers

    private void handshakeDone(PeerMsg.HandshakeDone done) {
        if (retired) {
            return;
        }
        long now = hub.clock().nanoTime();
        engine.installSession(done.keys(), now);
        counters.inc(HubCounter.HANDSHAKES);
        // Handshake messages authenticate their sender: roam to where it came from.
        setEndpoint(done.source(), true);
        lastHandshakeAt = now;
        if (sessionCheck != null) {
            sessionCheck.cancel();
        }
        sessionCheck = context.scheduleOnce(PeerMsg.SESSION_CHECK, WireGuard.REJECT_AFTER_TIME);
        if (events.active()) {
            events.publish(new HubEvent.HandshakeCompleted(Instant.now(), me.key, done.source()));
        }
        if (!up) {
            up = true;
            if (events.active()) {
                events.publish(new HubEvent.PeerUp(Instant.now(), me.key, done.source()));
            }
        }
        if (done.response() != null) {
            flush(); // keep order: anything sealed before goes first
            if (hub.listen().sendBytes(done.response(), endpoint)) {
                counters.inc(HubCounter.TX_PACKETS);
                counters.add(HubCounter.TX_BYTES, done.response().length);
            }
        }
    }

    /** Performs engine actions, including any the performing itself asks for (bounded). */
    private void perform(int actions) {
        for (int round = 0; round < 3 && actions != 0; round++) {
            performOnce(actions, hub.clock().nanoTime());
            actions = engine.pollActions();
        }
    }

    private void performOnce(int actions, long now) {
        if ((actions & PeerTimers.CLEAR_ENDPOINT_SOURCE) != 0 && link != null) {
            // A handshake went unanswered: wireguard-go forgets the local address it sends from,
            // so the kernel chooses the route afresh. A connected socket is that choice made
            // once; close it, and the next one (a second later at the earliest) is connected anew.
            closeLink();
        }
        if ((actions & PeerTimers.DROP_STAGED_PACKETS) != 0) {
            dropStaged(DropReason.HANDSHAKE_GAVE_UP);
        }
        boolean sentStaged = false;
        if ((actions & PeerEngine.SESSION_READY) != 0) {
            for (int k = staged.size(); k > 0 && engine.canSend(now); k--) {
                hub.buffers().unstage(1);
                sealAndQueue(staged.poll(), now, true);
                sentStaged = true;
            }
        }
        if ((actions & PeerEngine.SEND_KEEPALIVE) != 0 && !sentStaged && hasEndpoint()) {
            PacketBuffer b = hub.buffers().acquire(HEADER + 16);
            if (b != null) {
                int r = engine.sealKeepalive(b.view(), 0, now);
                if (r > 0) {
                    b.window(0, r);
                    queue(b, false);
                } else {
                    b.release(); // no session: the engine has asked for a handshake instead
                }
            }
        }
        if ((actions & PeerEngine.SEND_HANDSHAKE_INITIATION) != 0 && hasEndpoint() && !retired) {
            byte[] init = engine.createInitiation(now);
            if (init != null) {
                flush();
                boolean sent = hub.listen().sendBytes(init, endpoint);
                if (sent) {
                    counters.inc(HubCounter.TX_PACKETS);
                    counters.add(HubCounter.TX_BYTES, init.length);
                }
                if (HandshakeEvent.enabled()) {
                    HandshakeEvent.commit(engine.publicKey().toBase64(), "initiation", "sent", String.valueOf(me.endpoint),
                            sent ? "sent" : "send-failed", null);
                }
            }
        }
    }

    private void afterMessage() {
        if (retired) {
            return;
        }
        if (link == null ? endpointAuthenticated && connectedSockets : link.remote != me.endpoint) {
            linkForSend(hub.clock().nanoTime()); // a peer that only sends to us gets its link too
        }
        perform(engine.pollActions());
        if (engine.hasDeadline()) {
            long deadline = engine.nextDeadline();
            if (tick == null || deadline - tickAt < 0) {
                if (tick != null) {
                    tick.cancel();
                }
                long delay = Math.max(0, deadline - hub.clock().nanoTime());
                tickAt = deadline;
                tick = context.scheduleOnce(PeerMsg.TICK, Duration.ofNanos(delay));
            }
        }
    }

    // ------------------------------------------------------------------ config, retirement

    private void applyConfig() {
        PeerConfig next = me.config;
        PeerConfig before = applied;
        applied = next;
        long now = hub.clock().nanoTime();
        if (next.endpoint().isPresent() && (before == null || !next.endpoint().equals(before.endpoint()))) {
            InetSocketAddress a = me.configuredEndpoint; // resolved by the PeerTable, off the actor
            if (a != null) {
                setEndpoint(a, false); // configured, not yet heard from: no connected socket
            }
        }
        if (before == null || before.persistentKeepalive() != next.persistentKeepalive()) {
            engine.setPersistentKeepalive(next.persistentKeepalive(), now);
        }
    }

    /** REJECT_AFTER_TIME after the last handshake (a later one cancels the check): down if none came. */
    private void sessionCheck() {
        sessionCheck = null;
        if (up && hub.clock().nanoTime() - lastHandshakeAt >= WireGuard.REJECT_AFTER_TIME.toNanos()) {
            up = false;
            if (events.active()) {
                events.publish(new HubEvent.PeerDown(Instant.now(), me.key, HubEvent.PeerDown.Cause.SESSION_EXPIRED));
            }
        }
    }

    private void retire() {
        engine.zeroAllKeys(); // this thread seals and opens: the keys can be wiped in place
        if (!retired && events.active()) {
            if (up) {
                events.publish(new HubEvent.PeerDown(Instant.now(), me.key, HubEvent.PeerDown.Cause.REMOVED));
            }
            events.publish(new HubEvent.PeerRemoved(Instant.now(), me.key));
        }
        up = false;
        if (sessionCheck != null) {
            sessionCheck.cancel();
            sessionCheck = null;
        }
        retired = true;
        flush();
        closeLink();
        dropStaged(DropReason.HANDSHAKE_GAVE_UP);
        if (tick != null) {
            tick.cancel();
            tick = null;
        }
        context.scheduleOnce(new PeerMsg.StopNow(), RETIRE_GRACE);
    }

    private void drop(PacketBuffer b, DropReason reason) {
        b.release();
        counters.drop(reason);
    }
}
