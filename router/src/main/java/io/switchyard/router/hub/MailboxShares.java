package io.switchyard.router.hub;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the packet buffers waiting in peers' mailboxes are shared, so that no peer, and no flood
 * at a peer's (cleartext) receiver index, takes the buffers the others and the receivers need,
 * and so that a light sender's packet (a ping) is not refused because a heavy one filled its
 * destination. Whoever hands buffers to a peer's actor asks first and charges them; the actor
 * releases them as it takes them. A peer's mailbox carries two kinds of packets, limited apart:
 * <ul>
 *   <li><b>inbound</b>, datagrams from the peer (the receiver hands them over): at most
 *       {@link #peerQuota()}, a quarter of the pool (at least 64), so a flood at the peer's
 *       index fills this part only; above three eighths of the pool in all mailboxes a peer
 *       gets more only while it holds less than its fair share (three eighths over the number
 *       of peers holding any), so the peers holding the most are the ones refused. These are
 *       refused before they are copied, at almost no cost to the hub. A quarter because one
 *       TCP flow needs that much room while its peer's actor waits for a core: with a
 *       sixteenth (512 of 8,192), every iperf3 flow through a real client saw thousands of
 *       retransmits per 8 s, one per refused datagram, at 1.4-1.5 Gbit/s; with a quarter, none,
 *       at 1.6-1.9 (FloodBench, docs/perf-flood.md);</li>
 *   <li><b>outbound</b>, packets for the peer (other peers' actors and the hub's own endpoint
 *       hand them over): at most {@link #peerQuota()} too, and a quarter of that more for
 *       light senders, those with fewer than {@value #LIGHT} buffers in other mailboxes, so a
 *       ping to a peer one TCP flow keeps full still gets through. The fair shares do not apply here:
 *       these packets have been opened already, and refusing one throws that work away. With
 *       a sixteenth here and the fair shares, a destination's actor that fell behind for a few
 *       milliseconds (its carrier thread preempted on a busy machine) made its senders open
 *       packets only to drop them, and a hub process forwarded a third less at 64 bytes
 *       (ForwardingBench, sy-netns against the build before the shares).</li>
 * </ul>
 * At half of the pool in all mailboxes nobody gets more (two destinations whose actors fall
 * behind at once can hold that half for the moment it takes them to catch up). With at most a
 * quarter of the pool staged for sessions ({@link PacketPools#stage()}), a quarter stays for
 * the receivers and for packets the actors are working on, whatever the peers do. A refused packet is
 * PEER_OVER_QUOTA, decided before a datagram is copied when it comes from the receiver.
 */
final class MailboxShares {
    /** A sender with fewer buffers than this in other mailboxes is light. */
    static final int LIGHT = 16;
    private final int peerQuota;
    private final int soft;
    private final int hard;
    /** Buffers in all mailboxes. */
    private final AtomicInteger total = new AtomicInteger();
    /** Peers whose mailbox holds at least one buffer. */
    private final AtomicInteger holders = new AtomicInteger();

    MailboxShares(int poolBuffers) {
        this.peerQuota = Math.max(64, poolBuffers / 4);
        this.soft = Math.max(peerQuota, poolBuffers * 3 / 8);
        this.hard = Math.max(soft, poolBuffers / 2);
    }

    int peerQuota() {
        return peerQuota;
    }

    /**
     * Whether {@code peer}'s mailbox may take one more datagram from it beside the
     * {@code pending} ones the receiver has gathered but not charged yet.
     */
    boolean admitsInbound(PeerHandle peer, int pending) {
        return peer.held() - peer.heldOut() + pending < peerQuota && fair(peer, pending);
    }

    /** Whether {@code to}'s mailbox may take one more packet from {@code from} beside {@code pending}. */
    boolean admitsOutbound(PeerHandle from, PeerHandle to, int pending) {
        if (total.get() + pending >= hard) {
            return false;
        }
        int out = to.heldOut() + pending;
        return out < peerQuota || out < peerQuota + peerQuota / 4 && from.handedOut() + pending < LIGHT;
    }

    private boolean fair(PeerHandle peer, int pending) {
        int all = total.get() + pending;
        if (all < soft) {
            return true;
        }
        return all < hard && peer.held() + pending < soft / Math.max(1, holders.get());
    }

    /** {@code n} datagrams from {@code peer} handed to its mailbox. */
    void chargeInbound(PeerHandle peer, int n) {
        charge(peer, n);
    }

    /** {@code n} datagrams from {@code peer} out of its mailbox again: taken by its actor, or refused by the mailbox. */
    void releaseInbound(PeerHandle peer, int n) {
        release(peer, n);
    }

    /** {@code n} packets from {@code from} handed to {@code to}'s mailbox. */
    void chargeOutbound(PeerHandle from, PeerHandle to, int n) {
        to.addHeldOut(n);
        from.addHandedOut(n);
        charge(to, n);
    }

    /** {@code n} packets from {@code from} out of {@code to}'s mailbox again. */
    void releaseOutbound(PeerHandle from, PeerHandle to, int n) {
        release(to, n);
        from.addHandedOut(-n);
        to.addHeldOut(-n);
    }

    private void charge(PeerHandle peer, int n) {
        if (n > 0 && peer.addHeld(n) == 0) {
            holders.incrementAndGet();
        }
        total.addAndGet(n);
    }

    private void release(PeerHandle peer, int n) {
        if (n > 0 && peer.addHeld(-n) == n) {
            holders.decrementAndGet();
        }
        total.addAndGet(-n);
    }

    /** Buffers in all mailboxes now. */
    int held() {
        return total.get();
    }
}
