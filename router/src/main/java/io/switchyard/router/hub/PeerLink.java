package io.switchyard.router.hub;

import io.switchyard.actors.ActorRef;
import io.switchyard.io.SendRefusal;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.router.DropReason;
import io.switchyard.zerocopy.PacketBatch;
import io.switchyard.zerocopy.PacketBuffer;
import io.switchyard.zerocopy.SendOutcome;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import io.switchyard.zerocopy.ZerocopyCompletionTracker;
import java.net.InetSocketAddress;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A peer's connected socket: bound to the hub's listen port with SO_REUSEPORT and
 * {@code connect(2)}ed to the peer's authenticated endpoint, so the kernel delivers that
 * 4-tuple's datagrams here rather than to a listen socket, and sends skip the route lookup and
 * the shared listen socket's lock. Owned by the peer's actor, which opens it once the endpoint
 * is authenticated (a handshake or an authentic transport message came from it) and closes it
 * when the peer roams, retires or the hub stops; the listen socket carries the peer's traffic
 * whenever there is no link.
 *
 * <pre>
 *  receive: a receiver actor (virtual thread) on this socket ─▶ classify ─▶ peer actors, as a
 *           listen socket's router actor does
 *  send:    the peer actor's train ─▶ GSO trains; a train of at least ZeroCopyThreshold bytes
 *           goes through the completion tracker (MSG_ZEROCOPY while the kernel does not copy
 *           anyway, at most 17 segments: a zerocopy skb holds 17 page frags), the rest through
 *           this link's own transmitter
 *  errors:  with zerocopy, a watcher virtual thread parks until EPOLLERR and has the peer actor
 *           read the completions (the tracker is the actor's alone)
 * </pre>
 */
final class PeerLink {
    final InetSocketAddress remote;
    final UdpSocket socket;
    /** The zerocopy sender, or null when ZeroCopy is off or the socket refused SO_ZEROCOPY. */
    final ZerocopyCompletionTracker tracker;
    private final UdpZerocopyChannel channel;
    private final Transmitter tx;
    private final int zerocopyThreshold;
    private final PacketBatch batch = new PacketBatch(Trains.MAX_SEGMENTS);
    /** Told the transmitter's counters when the link closes (the hub folds them into its totals). */
    private final Consumer<Counters> onClose;
    /** Released by the peer actor once it has read the error queue the watcher woke it for. */
    final Semaphore errorQueueRead = new Semaphore(0);
    ActorRef<Object> receiver;
    private Thread watcher;
    private boolean closed;

    PeerLink(InetSocketAddress remote, UdpSocket socket, UdpZerocopyChannel channel,
             ZerocopyCompletionTracker tracker, int zerocopyThreshold, Consumer<Counters> onClose) {
        this.onClose = onClose;
        this.remote = remote;
        this.socket = socket;
        this.channel = channel;
        this.tracker = tracker;
        this.zerocopyThreshold = zerocopyThreshold;
        this.tx = new Transmitter(socket, socket.gsoEnabled());
    }

    /** This link's transmitter counters (TX packets and bytes), written by the owning actor only. */
    Counters txCounters() {
        return tx.counters;
    }

    /**
     * Starts the error-queue watcher: it tells {@code owner} {@code message} whenever the error
     * queue may hold completions, then waits until the owner has read it (EPOLLERR would
     * otherwise wake it again at once for the same records).
     */
    void watchErrorQueue(ActorRef<PeerMsg> owner, PeerMsg message, String name) {
        if (tracker == null || !tracker.zerocopyAvailable()) {
            return;
        }
        watcher = Thread.ofVirtual().name(name).start(() -> {
            try {
                while (true) {
                    channel.awaitErrorQueue();
                    while (!owner.tell(message)) { // a full mailbox: try again shortly
                        if (owner.isTerminated()) {
                            return;
                        }
                        Thread.sleep(1);
                    }
                    while (!errorQueueRead.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (!socket.isOpen() || owner.isTerminated()) {
                            return;
                        }
                    }
                }
            } catch (SocketClosedException | InterruptedException e) {
                // the link closed: the owner handles what is still outstanding
            } catch (TransportException e) {
                // a broken socket: the owner's next send fails and counts
            }
        });
    }

    /**
     * Sends {@code buffers[0..n)} (lengths in {@code lengths}) to the connected peer; sets
     * {@code outcome[k]} to null for each datagram that left, else to why not. Takes every
     * buffer: released here, or held by the tracker until the kernel completes a zerocopy send.
     */
    void send(PacketBuffer[] buffers, int[] lengths, int n, DropReason[] outcome) {
        int i = 0;
        while (i < n) {
            boolean gso = socket.gsoEnabled();
            boolean zerocopy = tracker != null && gso && tracker.zerocopyAvailable() && !closed;
            int end = gso ? Trains.end(buffers, i, n, Trains.MAX_SEGMENTS) : Math.min(n, i + Trains.MAX_SEGMENTS);
            long bytes = bytes(lengths, i, end);
            int cut = zerocopy && bytes >= zerocopyThreshold && tracker.zerocopyActive()
                    ? Trains.zerocopyEnd(buffers, i, end, UdpZerocopyChannel.MAX_ZEROCOPY_BUFFERS) : end;
            if (cut < end) {
                // A zerocopy skb holds 17 page frags (17 small buffers, 5 jumbo ones): cut the
                // train there, so that it can go zerocopy at all, but only for trains big enough
                // to be sent that way; small packets keep their 64-segment trains.
                long cutBytes = bytes(lengths, i, cut);
                if (cutBytes >= zerocopyThreshold) {
                    end = cut;
                    bytes = cutBytes;
                }
            }
            if (zerocopy && bytes >= zerocopyThreshold) {
                sendThroughTracker(buffers, i, end, outcome);
            } else {
                if (closed) {
                    java.util.Arrays.fill(outcome, i, end, DropReason.SEND_FAILED);
                } else {
                    tx.send(buffers, i, end, null, outcome);
                }
                for (int k = i; k < end; k++) {
                    buffers[k].release();
                }
            }
            i = end;
        }
    }

    private static long bytes(int[] lengths, int from, int to) {
        long b = 0;
        for (int k = from; k < to; k++) {
            b += lengths[k];
        }
        return b;
    }

    private void sendThroughTracker(PacketBuffer[] buffers, int from, int to, DropReason[] outcome) {
        batch.clear();
        for (int k = from; k < to; k++) {
            batch.add(buffers[k]);
        }
        SendOutcome result;
        try {
            while ((result = tracker.send(batch)) == SendOutcome.WOULD_BLOCK) {
                socket.awaitWritable();
            }
        } catch (TransportException e) {
            batch.releaseAll(); // closed while waiting for room: still ours after WOULD_BLOCK
            result = SendOutcome.DROPPED;
        }
        for (int k = from; k < to; k++) {
            SendRefusal refused = result == SendOutcome.SENT_COPY ? tracker.refusal(k - from) : null;
            outcome[k] = result == SendOutcome.DROPPED ? DropReason.SEND_FAILED
                    : refused != null ? Transmitter.reasonFor(refused) : null;
        }
    }

    /** Reads zerocopy completions (the watcher woke the owner), then lets the watcher wait again. */
    void readErrorQueue() {
        try {
            if (tracker != null && !closed) {
                tracker.onErrorQueueReadable();
            }
        } finally {
            errorQueueRead.release();
        }
    }

    /** Closes the socket and the zerocopy channel's memory; idempotent. Called by the receiver as it stops. */
    void closeSocket() {
        if (channel != null) {
            channel.close();
        } else {
            socket.close();
        }
    }

    /**
     * Stops sending and has the receiver close the socket once it has taken what is queued
     * (its watcher stops then). Buffers of zerocopy sends the kernel
     * may still read stay held; a short-lived virtual thread returns them once the tracker's
     * close grace has passed (the actor no longer touches the tracker after this).
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        int outstanding = 0;
        try {
            outstanding = tracker == null ? 0 : tracker.close();
        } catch (RuntimeException e) {
            outstanding = tracker.outstandingSends(); // a broken error queue: close regardless
        } finally {
            // The receiver closes the socket after reading what is queued on it; it may be
            // parked waiting for a datagram, so wake it. A receiver that is gone already closed
            // it, or never will: then close it here.
            if (receiver == null || receiver.isTerminated() || !receiver.tell(RouterActor.DRAIN_AND_CLOSE)) {
                closeSocket();
            }
            socket.wakeReceiver();
            tx.close();
            onClose.accept(tx.counters);
        }
        if (tracker != null) {
            tracker.socketClosed();
            if (outstanding > 0 && tracker.outstandingSends() > 0) {
                Thread.ofVirtual().name("zerocopy-grace").start(() -> {
                    while (tracker.outstandingSends() > 0) {
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                        tracker.tick();
                    }
                });
            }
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
