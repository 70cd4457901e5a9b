package io.switchyard.router.hub;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the packet buffers waiting in peers' mailboxes are shared, so that no peer, and no flood
 * at a peer's (cleartext) receiver index, takes the buffers the others and the receivers need.
 * Whoever hands buffers to a peer's actor asks {@link #admits} first and {@link #charge}s them;
 * the actor {@link #release}s them as it takes them. Three limits:
 * <ul>
 *   <li>one peer's mailbox holds at most {@link #peerQuota()} buffers (a sixteenth of the pool,
 *       at least 64; a TCP flow needs far fewer in flight);</li>
 *   <li>while all mailboxes together hold less than three eighths of the pool, that is the only
 *       limit; above it a peer gets more only while it holds less than its fair share (that
 *       three eighths over the number of peers holding any), so the peers holding the most are
 *       the ones refused;</li>
 *   <li>at half of the pool nobody gets more.</li>
 * </ul>
 * With at most a quarter of the pool staged for sessions ({@link PacketPools#stage()}), a
 * quarter stays for the receivers and for packets the actors are working on, whatever the peers
 * do. A refused datagram is the refused peer's own loss (PEER_OVER_QUOTA), decided before it is
 * copied.
 */
final class MailboxShares {
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
     * Whether {@code peer}'s mailbox may take one more buffer beside the {@code pending} ones its
     * sender has gathered but not charged yet.
     */
    boolean admits(PeerHandle peer, int pending) {
        int mine = peer.held() + pending;
        if (mine >= peerQuota) {
            return false;
        }
        int all = total.get() + pending;
        if (all < soft) {
            return true;
        }
        return all < hard && mine < soft / Math.max(1, holders.get());
    }

    /** {@code n} buffers handed to {@code peer}'s mailbox. */
    void charge(PeerHandle peer, int n) {
        if (n > 0 && peer.addHeld(n) == 0) {
            holders.incrementAndGet();
        }
        total.addAndGet(n);
    }

    /** {@code n} buffers out of {@code peer}'s mailbox again: taken by its actor, or refused by the mailbox. */
    void release(PeerHandle peer, int n) {
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
