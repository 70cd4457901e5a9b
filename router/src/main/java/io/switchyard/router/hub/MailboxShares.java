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
 *       {@link #peerQuota()} (a sixteenth of the pool, at least 64; a TCP flow needs far fewer
 *       in flight), so a flood at the peer's index fills this part only. They are refused
 *       before they are copied, at almost no cost to the hub;</li>
 *   <li><b>outbound</b>, packets for the peer (other peers' actors and the hub's own endpoint
 *       hand them over): no limit of their own below the rules over all mailboxes. They have
 *       been opened already, and refusing one throws that work away: with a sixteenth here
 *       too, a destination's actor that fell behind for a few milliseconds (its carrier thread
 *       preempted on a busy machine) made its senders open packets only to drop them, and a
 *       hub process forwarded a third less at 64 bytes (ForwardingBench, sy-netns against the
 *       build before the shares). Light senders, those with fewer than {@value #LIGHT} buffers
 *       in other mailboxes, get in up to half the pool whatever the fair shares say, so a ping
 *       to a peer one TCP flow keeps full still gets through.</li>
 * </ul>
 * Over all mailboxes: while they hold less than three eighths of the pool that is all; above
 * it a peer gets more only while it holds less than its fair share (three eighths over the
 * number of peers holding any), so the peers holding the most are the ones refused; at half of
 * the pool nobody gets more. With at most a quarter of the pool staged for sessions
 * ({@link PacketPools#stage()}), a quarter stays for the receivers and for packets the actors
 * are working on, whatever the peers do. A refused packet is PEER_OVER_QUOTA, decided before a
 * datagram is copied.
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
        this.peerQuota = Math.max(64, poolBuffers / 16);
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
        if (fair(to, pending)) {
            return true;
        }
        return from.handedOut() + pending < LIGHT && total.get() + pending < hard;
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
