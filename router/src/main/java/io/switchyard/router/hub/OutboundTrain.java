package io.switchyard.router.hub;

import io.switchyard.config.Key32;
import io.switchyard.io.SockAddr;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.zerocopy.PacketBuffer;
import java.util.Arrays;

/**
 * A peer actor's sealed datagrams waiting to leave, up to one GSO train's 64, and their sending:
 * through the peer's connected socket when it has one, else through the listen socket, as GSO
 * trains (or sendmmsg). Each datagram ends counted: forwarded when it left (and it was a
 * forwarded one, not a keepalive of the hub's), or dropped with why it did not. Owned by the
 * peer's actor; its arrays are made on the first datagram (about 700 bytes an idle peer does not
 * pay).
 */
final class OutboundTrain {
    private PacketBuffer[] buffers;
    private int[] lengths;
    private boolean[] forwarded;
    /** Per datagram after a send: null if it left, else why not. */
    private DropReason[] outcome;
    private int size;

    /** Appends a sealed datagram; true when the train is full and must be sent now. */
    boolean add(PacketBuffer b, boolean isForwarded) {
        if (buffers == null) {
            buffers = new PacketBuffer[Trains.MAX_SEGMENTS];
            lengths = new int[Trains.MAX_SEGMENTS];
            forwarded = new boolean[Trains.MAX_SEGMENTS];
            outcome = new DropReason[Trains.MAX_SEGMENTS];
        }
        buffers[size] = b;
        lengths[size] = b.length();
        forwarded[size++] = isForwarded;
        return size == buffers.length;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Sends the train through {@code link}, or else {@code listen} to {@code endpoint} (null: no
     * endpoint, every datagram fails), gives up its buffers and counts each datagram into
     * {@code counters} ({@code peer} names it in the flush event). Lengths were noted when queued: once sent, a zerocopy buffer belongs to
     * the tracker and a released one to whoever takes it next. Returns the bytes that left.
     */
    long send(PeerLink link, Transmitter listen, SockAddr endpoint, Counters counters, Key32 peer) {
        int n = size;
        size = 0;
        int trains = FlushEvent.enabled() ? Trains.count(buffers, n) : -1;
        if (link != null) {
            link.send(buffers, lengths, n, outcome);
        } else {
            if (endpoint != null) {
                listen.send(buffers, 0, n, endpoint, outcome);
            } else {
                Arrays.fill(outcome, 0, n, DropReason.SEND_FAILED);
            }
            for (int k = 0; k < n; k++) {
                buffers[k].release();
            }
        }
        long bytes = 0;
        int sent = 0;
        for (int k = 0; k < n; k++) {
            buffers[k] = null;
            DropReason notSent = outcome[k];
            if (notSent == null) {
                sent++;
                bytes += lengths[k];
                if (forwarded[k]) {
                    counters.inc(HubCounter.FORWARDED);
                }
            } else if (forwarded[k]) {
                counters.drop(notSent); // a keepalive the kernel refused is no datagram of anyone's
            }
        }
        counters.add(HubCounter.TX_PACKETS, sent);
        counters.add(HubCounter.TX_BYTES, bytes);
        if (FlushEvent.enabled()) {
            FlushEvent.commit(peer.toBase64(), sent, bytes, trains, link != null && link.tracker != null && link.tracker.zerocopyActive());
        }
        return bytes;
    }
}
