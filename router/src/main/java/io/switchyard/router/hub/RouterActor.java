package io.switchyard.router.hub;

import io.switchyard.actors.Actor;
import io.switchyard.actors.ActorContext;
import io.switchyard.actors.Fanout;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.router.hub.ReceiveBatchEvent;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.zerocopy.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * A receiver: owns the receive side of one socket and hands what arrives to the actors that
 * process it. The hub runs one per listen socket, on a dedicated platform thread each (the
 * "router actors"), and one per connected peer socket, on a virtual thread, which borrows its
 * receive batch from the shared {@link RecvBatches} only while it has datagrams to classify.
 *
 * <pre>
 *  recvmmsg / GRO batch ─▶ for each datagram: classify by type word and length
 *     type 4 (transport)   receiver index ─▶ PeerEngine ─▶ its PeerHandle; copy into a pooled
 *                          buffer (the batch's slots are reused at once), note the source,
 *                          append to that peer's Inbound batch
 *     type 1, 2, 3         copy to a byte array ─▶ handshake worker queue (bounded)
 *     anything else        drop MALFORMED
 *  end of batch ─▶ one mailbox offer per destination peer, then one wake-up each (Fanout)
 * </pre>
 * A connected socket receives its peer's datagrams, but classification is the same: the
 * receiver index, not the socket, says which peer's keys open a packet (a spoofed source
 * address cannot make one peer's socket deliver into another peer's session).
 *
 * <p>Each {@code Poll} message does one non-blocking receive; when nothing is there it waits
 * until the socket is readable (without holding a shared batch) and tells itself the next
 * {@code Poll}, so stopping the actor or closing the socket ends the loop. Every datagram ends
 * in exactly one counter here or in the actor it is handed to. The counters are this
 * receiver's own (one writer); the hub sums them.
 */
final class RouterActor implements Actor<Object> {
    static final Object POLL = new Object() {
        @Override
        public String toString() {
            return "Poll";
        }
    };
    /**
     * Close the socket, after taking what it has queued (a link closing: datagrams queued on a
     * connected socket would otherwise be lost with it, uncounted).
     */
    static final Object DRAIN_AND_CLOSE = new Object() {
        @Override
        public String toString() {
            return "DrainAndClose";
        }
    };
    /** Datagrams a drain reads at most, so a peer that keeps sending cannot hold it open. */
    private static final int DRAIN_LIMIT = 4096;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ActorContext<Object> context;
    private final Wiring hub;
    private final UdpSocket socket;
    /** This receiver's own batch (listen sockets), or null: borrow from {@link #shared}. */
    private final RecvBatch own;
    private final RecvBatches shared;
    private final Fanout fanout = new Fanout();
    private final Counters counters;
    private final Runnable onStop;
    private final int perSlot;
    /** Whether a peer's mailbox may take another buffer. */
    private final MailboxShares shares;
    /** Which socket, for the receive-batch event: the listen socket's index, -1 for a peer's connected socket. */
    private final int socketId;
    /** The peers this receive call has datagrams for, and their batches (linear: few per call). */
    private PeerHandle[] touched = new PeerHandle[16];
    private PeerMsg.Inbound[] pending = new PeerMsg.Inbound[16];
    private int touchedCount;
    /** The last peer appended to: GRO trains and bursts come from one peer at a time. */
    private int lastTouched = -1;

    /**
     * What a receiver uses: the packet buffers it copies datagrams into, the handshake workers
     * it queues handshake messages for, the device that finds a receiver index's peer (and takes
     * cookie replies), whether the hub is closing, and a test seam pausing connected sockets'
     * receivers.
     */
    record Wiring(PacketPools buffers, HandshakeWorkers workers, Device device, BooleanSupplier closing,
                  BooleanSupplier linksPaused) {}

    RouterActor(ActorContext<Object> context, Wiring hub, UdpSocket socket, int socketId, RecvBatch own,
                RecvBatches shared, Counters counters, Runnable onStop) {
        this.socketId = socketId;
        this.context = context;
        this.hub = hub;
        this.socket = socket;
        this.own = own;
        this.shared = shared;
        this.counters = counters;
        this.onStop = onStop;
        // Datagrams one receive slot can yield: a GRO slot holds a train of up to 64 (what GSO
        // senders send; a kernel may coalesce up to 128), a plain slot one.
        this.perSlot = socket.groEnabled() ? 64 : 1;
        this.shares = hub.buffers().shares();
    }

    @Override
    public void receive(Object message) throws InterruptedException {
        if (message == DRAIN_AND_CLOSE) {
            drainAndClose();
            return;
        }
        if (!socket.isOpen()) {
            context.stop();
            return;
        }
        if (hub.closing().getAsBoolean()) {
            // The hub stops: take what is queued (counted) and close, whatever the actor system
            // is doing (a receiver must never outlive its hub, spinning on a pool that stays
            // empty: it starved the next hub's actors of carrier threads in the benchmark).
            drainAndClose();
            return;
        }
        if (own == null && hub.linksPaused().getAsBoolean()) { // a test holding datagrams on a link's queue
            Thread.sleep(1);
            context.self().tell(POLL);
            return;
        }
        int slots = hub.buffers().receiveBudget(perSlot, socket.groEnabled());
        if (slots == 0) {
            // Overload: the peers' actors hold the buffers. Reading now would only copy datagrams
            // in to drop them (NO_BUFFER), taking CPU from the actors that would free buffers;
            // giving way leaves them in the socket queue, where the kernel drops the excess at no
            // cost to us (counted as io.kernel_drops) if it fills. A yield, not a sleep: measured,
            // a 50 us park left the peers idle between bursts and cost a third of the rate.
            counters.inc(HubCounter.RECEIVE_WAITS);
            Thread.yield();
            context.self().tell(POLL);
            return;
        }
        RecvBatch batch = own != null ? own : shared.acquire();
        try {
            batch.limit(slots);
            int n = socket.tryReceive(batch);
            tooBig(batch.truncated());
            if (n == 0) {
                if (own == null) {
                    shared.release(batch); // a waiting receiver holds no batch
                    batch = null;
                }
                socket.awaitReadable();
            } else {
                if (ReceiveBatchEvent.enabled()) {
                    long bytes = 0;
                    for (int i = 0; i < n; i++) {
                        bytes += batch.length(i);
                    }
                    // Slots fill in order: datagrams beyond one per slot came out of GRO trains.
                    int used = batch.slot(n - 1) + 1;
                    ReceiveBatchEvent.commit(socketId, n, bytes, n - used);
                }
                for (int i = 0; i < n; i++) {
                    classify(batch, i);
                }
                handOff();
            }
        } catch (SocketClosedException e) {
            context.stop();
            return;
        } catch (TransportException e) {
            if (!socket.isOpen()) {
                context.stop();
                return;
            }
            throw new IllegalStateException("receive failed on " + socket.localAddress(), e);
        } finally {
            if (own == null && batch != null) {
                shared.release(batch);
            }
        }
        context.self().tell(POLL);
    }

    private void drainAndClose() {
        try {
            // A link: its peer's next datagrams go to the listen socket from here on, so what
            // arrives during the drain below is not lost with this socket.
            socket.stopReceiving();
        } catch (TransportException e) {
            System.getLogger("io.switchyard.hub").log(System.Logger.Level.DEBUG,
                    "closing {0}: {1}; datagrams arriving during its last drain may be lost", socket.localAddress(), e.getMessage());
        }
        RecvBatch batch = own != null ? own : shared.acquire();
        batch.limit(batch.capacity());
        try {
            int total = 0;
            int n;
            while (total < DRAIN_LIMIT && (n = socket.tryReceive(batch)) > 0) {
                tooBig(batch.truncated());
                for (int i = 0; i < n; i++) {
                    classify(batch, i);
                }
                handOff();
                total += n;
            }
        } catch (TransportException e) {
            // closed or broken already: nothing more to take
        } finally {
            if (own == null) {
                shared.release(batch);
            }
            socket.close();
            context.stop();
        }
    }

    /** Datagrams longer than a receive slot (MSG_TRUNC): received, and dropped as too big. */
    private void tooBig(int truncated) {
        if (truncated > 0) {
            counters.add(HubCounter.RX_PACKETS, truncated);
            counters.drop(DropReason.DATAGRAM_TOO_BIG, truncated);
        }
    }

    private void classify(RecvBatch batch, int i) {
        MemorySegment seg = batch.buffer(i);
        int off = batch.offset(i);
        int len = batch.length(i);
        counters.inc(HubCounter.RX_PACKETS);
        counters.add(HubCounter.RX_BYTES, len);
        switch (Messages.classify(seg, off, len)) {
            case WireGuard.MESSAGE_TRANSPORT_TYPE -> transport(batch, i, seg, off, len);
            case WireGuard.MESSAGE_INITIATION_TYPE, WireGuard.MESSAGE_RESPONSE_TYPE, WireGuard.MESSAGE_COOKIE_REPLY_TYPE -> {
                // All handshake crypto runs on the workers, none on this thread.
                byte[] msg = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
                if (!hub.workers().submit(msg, batch.source(i), seg.get(LE_INT, off))) {
                    counters.drop(DropReason.HANDSHAKE_QUEUE_FULL);
                }
            }
            default -> counters.drop(DropReason.MALFORMED); // unknown type, or a size its type cannot have
        }
    }

    private void transport(RecvBatch batch, int i, MemorySegment seg, int off, int len) {
        if (len > hub.buffers().maxDatagram()) {
            counters.drop(DropReason.DATAGRAM_TOO_BIG);
            return;
        }
        PeerEngine engine = hub.device().peerByIndex(seg.get(LE_INT, off + Messages.TRANSPORT_RECEIVER));
        PeerHandle peer = engine == null ? null : (PeerHandle) engine.attachment();
        if (peer == null) {
            counters.drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        PeerMsg.Inbound in = pendingFor(peer);
        if (!shares.admitsInbound(peer, in == null ? 0 : in.size)) {
            // Before the copy: a flood at one peer's (cleartext) index costs that peer, and
            // costs the hub no buffer and no copy beyond the peer's share.
            peer.refusedAtReceive(1); // the peer's drop, counted on it (stats add it there)
            return;
        }
        PacketBuffer b = hub.buffers().acquire(len);
        if (b == null) {
            counters.drop(DropReason.NO_BUFFER);
            return;
        }
        MemorySegment.copy(seg, off, b.slot(), 0, len);
        b.window(0, len);
        batch.copySource(i, b.source());
        if (in == null) {
            in = newPending(peer, batch.count()); // made for a datagram taken, never for a refused one
        }
        in.add(b);
    }

    /** {@code peer}'s batch of this receive call, or null before its first datagram taken. */
    private PeerMsg.Inbound pendingFor(PeerHandle peer) {
        if (lastTouched >= 0 && touched[lastTouched] == peer) {
            return pending[lastTouched];
        }
        for (int t = 0; t < touchedCount; t++) {
            if (touched[t] == peer) {
                lastTouched = t;
                return pending[t];
            }
        }
        return null;
    }

    private PeerMsg.Inbound newPending(PeerHandle peer, int capacity) {
        if (touchedCount == touched.length) {
            touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
            pending = java.util.Arrays.copyOf(pending, touchedCount * 2);
        }
        PeerMsg.Inbound in = new PeerMsg.Inbound(Math.max(capacity, 1));
        touched[touchedCount] = peer;
        pending[touchedCount] = in;
        lastTouched = touchedCount++;
        return in;
    }

    private void handOff() {
        for (int t = 0; t < touchedCount; t++) {
            PeerHandle peer = touched[t];
            PeerMsg.Inbound in = pending[t];
            touched[t] = null;
            pending[t] = null;
            shares.chargeInbound(peer, in.size);
            if (!fanout.offer(peer.ref, in)) {
                shares.releaseInbound(peer, in.size);
                counters.drop(DropReason.PEER_QUEUE_FULL, in.releaseAll());
            }
        }
        touchedCount = 0;
        lastTouched = -1;
        fanout.flush();
    }

    @Override
    public void postStop() {
        if (own != null) {
            own.close();
        }
        onStop.run();
    }
}
