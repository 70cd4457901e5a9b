package io.switchyard.router.hub;

import io.switchyard.actors.Actor;
import io.switchyard.actors.ActorContext;
import io.switchyard.actors.Fanout;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SocketClosedException;
import io.switchyard.io.TransportException;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.DropReason;
import io.switchyard.router.control.ReceiveBatchEvent;
import io.switchyard.router.peer.PeerEngine;
import io.switchyard.router.protocol.WireGuard;
import io.switchyard.zerocopy.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The router actor: owns the receive side of the listen socket, on a dedicated platform thread
 * (a receive that waits would pin a virtual thread's carrier otherwise).
 *
 * <pre>
 *  recvmmsg / GRO batch ─▶ for each datagram: classify by type word and length
 *     type 4 (transport)   receiver index ─▶ PeerEngine ─▶ its PeerHandle; copy into a pooled
 *                          buffer (the batch's slots are reused at once), note the source,
 *                          append to that peer's Inbound batch
 *     type 1, 2            copy to a byte array ─▶ handshake worker queue (bounded)
 *     type 3               cookie reply: taken here (one XChaCha20 open)
 *     anything else        drop MALFORMED
 *  end of batch ─▶ one mailbox offer per destination peer, then one wake-up each (Fanout)
 * </pre>
 * Each {@code Poll} message does one receive (waiting until the socket is readable) and then
 * tells itself the next {@code Poll}, so stopping the actor or closing the socket ends the loop.
 * Every datagram ends in exactly one counter here or in the actor it is handed to.
 */
final class RouterActor implements Actor<Object> {
    static final Object POLL = new Object() {
        @Override
        public String toString() {
            return "Poll";
        }
    };
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ActorContext<Object> context;
    private final HubCore hub;
    private final UdpSocket socket;
    private final RecvBatch batch;
    private final Fanout fanout = new Fanout();
    private final Counters counters;
    private PeerHandle[] touched = new PeerHandle[16];
    private int touchedCount;

    RouterActor(ActorContext<Object> context, HubCore hub, UdpSocket socket, RecvBatch batch, Counters counters) {
        this.context = context;
        this.hub = hub;
        this.socket = socket;
        this.batch = batch;
        this.counters = counters;
    }

    @Override
    public void receive(Object message) {
        int n;
        try {
            n = socket.receive(batch);
        } catch (SocketClosedException e) {
            context.stop();
            return;
        } catch (TransportException e) {
            if (!socket.isOpen()) {
                context.stop();
                return;
            }
            throw new IllegalStateException("receive failed on " + socket.localAddress(), e);
        }
        if (ReceiveBatchEvent.enabled()) {
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                bytes += batch.length(i);
            }
            ReceiveBatchEvent.commit(0, n, bytes, 0);
        }
        for (int i = 0; i < n; i++) {
            classify(i);
        }
        handOff();
        context.self().tell(POLL);
    }

    private void classify(int i) {
        MemorySegment seg = batch.buffer(i);
        int off = batch.offset(i);
        int len = batch.length(i);
        counters.inc(Counters.RX_PACKETS);
        counters.add(Counters.RX_BYTES, len);
        int type = len >= 4 ? seg.get(LE_INT, off) : 0;
        switch (type) {
            case WireGuard.MESSAGE_TRANSPORT_TYPE -> transport(i, seg, off, len);
            case WireGuard.MESSAGE_INITIATION_TYPE, WireGuard.MESSAGE_RESPONSE_TYPE -> {
                int expected = type == WireGuard.MESSAGE_INITIATION_TYPE
                        ? WireGuard.MESSAGE_INITIATION_SIZE : WireGuard.MESSAGE_RESPONSE_SIZE;
                if (len != expected) {
                    counters.drop(DropReason.MALFORMED);
                    return;
                }
                byte[] msg = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
                if (!hub.workers().submit(msg, batch.source(i))) {
                    counters.drop(DropReason.HANDSHAKE_QUEUE_FULL);
                }
            }
            case WireGuard.MESSAGE_COOKIE_REPLY_TYPE -> {
                if (len != WireGuard.MESSAGE_COOKIE_REPLY_SIZE) {
                    counters.drop(DropReason.MALFORMED);
                    return;
                }
                byte[] msg = seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
                if (hub.device().handleCookieReply(msg) != null) {
                    counters.inc(Counters.CONSUMED);
                } else {
                    counters.drop(DropReason.BAD_COOKIE_REPLY);
                }
            }
            default -> counters.drop(DropReason.MALFORMED);
        }
    }

    private void transport(int i, MemorySegment seg, int off, int len) {
        if (len < WireGuard.MESSAGE_TRANSPORT_MIN_SIZE || len > hub.slotBytes()) {
            counters.drop(DropReason.MALFORMED);
            return;
        }
        PeerEngine engine = hub.device().peerByIndex(seg.get(LE_INT, off + 4));
        PeerHandle peer = engine == null ? null : (PeerHandle) engine.attachment();
        if (peer == null) {
            counters.drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        PacketBuffer b = hub.pool().acquire();
        if (b == null) {
            counters.drop(DropReason.NO_BUFFER);
            return;
        }
        MemorySegment.copy(seg, off, b.slot(), 0, len);
        b.window(0, len);
        batch.copySource(i, hub.source(b));
        PeerMsg.Inbound in = peer.pendingInbound;
        if (in == null) {
            in = new PeerMsg.Inbound(Math.max(batch.count(), 1));
            peer.pendingInbound = in;
            if (touchedCount == touched.length) {
                touched = java.util.Arrays.copyOf(touched, touchedCount * 2);
            }
            touched[touchedCount++] = peer;
        }
        in.add(b);
    }

    private void handOff() {
        for (int t = 0; t < touchedCount; t++) {
            PeerHandle peer = touched[t];
            touched[t] = null;
            PeerMsg.Inbound in = peer.pendingInbound;
            peer.pendingInbound = null;
            if (!fanout.offer(peer.ref, in)) {
                counters.drop(DropReason.PEER_QUEUE_FULL, in.releaseAll());
            }
        }
        touchedCount = 0;
        fanout.flush();
    }

    @Override
    public void postStop() {
        batch.close();
    }
}
