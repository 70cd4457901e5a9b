package io.switchyard.router.hub;

import io.switchyard.actors.Fanout;
import io.switchyard.router.DropReason;
import io.switchyard.zerocopy.PacketBuffer;

/**
 * Decrypted packets sorted by destination actor while one batch is processed, then handed over
 * with one mailbox offer per destination and at most one wake-up each ({@link Fanout}). A batch
 * reaches few destinations, so a linear scan finds a destination's batch. Owned by one actor.
 */
final class Outbox {
    private final Fanout fanout = new Fanout();
    /** Whether a destination's mailbox may take another buffer. */
    private final MailboxShares shares;
    private PeerHandle[] destinations = new PeerHandle[8];
    private PeerMsg.Outbound[] outbound = new PeerMsg.Outbound[8];
    private int count;

    /** Whose packets these are: the peer whose actor owns this outbox, or the hub's own endpoint. */
    private final PeerHandle from;

    Outbox(MailboxShares shares, PeerHandle from) {
        this.shares = shares;
        this.from = from;
    }

    /**
     * Appends {@code b} to {@code dest}'s batch, made with room for {@code capacity} on first
     * use; false, taking nothing, when {@code dest} holds its share of the buffers already
     * ({@link MailboxShares#admitsOutbound}).
     */
    boolean add(PeerHandle dest, PacketBuffer b, int capacity) {
        for (int d = 0; d < count; d++) {
            if (destinations[d] == dest) {
                if (!shares.admitsOutbound(from, dest, outbound[d].size)) {
                    return false;
                }
                outbound[d].add(b);
                return true;
            }
        }
        if (!shares.admitsOutbound(from, dest, 0)) {
            return false;
        }
        if (count == destinations.length) {
            destinations = java.util.Arrays.copyOf(destinations, count * 2);
            outbound = java.util.Arrays.copyOf(outbound, count * 2);
        }
        PeerMsg.Outbound out = new PeerMsg.Outbound(capacity, from);
        out.add(b);
        destinations[count] = dest;
        outbound[count++] = out;
        return true;
    }

    /** Offers every batch, charged to its destination; a destination gone is counted on {@code counters}. */
    void handOff(Counters counters) {
        for (int d = 0; d < count; d++) {
            PeerMsg.Outbound out = outbound[d];
            PeerHandle dest = destinations[d];
            destinations[d] = null;
            outbound[d] = null;
            shares.chargeOutbound(from, dest, out.size);
            if (!fanout.offer(dest.ref, out)) {
                shares.releaseOutbound(from, dest, out.size);
                counters.drop(DropReason.PEER_QUEUE_FULL, out.releaseAll());
            }
        }
        count = 0;
        fanout.flush();
    }
}
