package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Key32;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MailboxSharesTest {
    private static final int POOL = 8192;

    private static PeerHandle[] peers(int n) {
        PeerHandle[] p = new PeerHandle[n];
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            k[1] = (byte) (i >> 8);
            p[i] = new PeerHandle(Key32.of(k), null, null, null);
        }
        return p;
    }

    /** Charges one buffer at a time while admitted; returns how many were taken. */
    private static int fill(MailboxShares s, PeerHandle p, int upTo) {
        int n = 0;
        while (n < upTo && s.admitsInbound(p, 0)) {
            s.chargeInbound(p, 1);
            n++;
        }
        return n;
    }

    @Test
    void onePeerStopsAtItsQuotaAndTheOthersStillGetIn() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(2);
        assertEquals(2048, s.peerQuota());
        assertEquals(2048, fill(s, p[0], 10_000));
        assertFalse(s.admitsInbound(p[0], 0));
        assertFalse(s.admitsInbound(p[1], 2048), "pending buffers count against the peer");
        assertTrue(s.admitsInbound(p[1], 1023));
        s.releaseInbound(p[0], 1);
        assertTrue(s.admitsInbound(p[0], 0));
    }

    @Test
    void aboveThreeEighthsOnlyPeersUnderTheirFairShareGetMoreAndHalfThePoolIsTheEnd() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(40);
        assertEquals(2048, fill(s, p[0], 10_000)); // a flooded peer: its quarter
        // Past three eighths (3,072) a second one gets in only under its fair share, 3,072 / 2.
        assertEquals(1536, fill(s, p[1], 10_000));
        assertFalse(s.admitsInbound(p[0], 0));
        // A third, holding nothing, still gets in, up to half the pool in all.
        assertEquals(512, fill(s, p[2], 10_000));
        assertEquals(POOL / 2, s.held(), "full");
        assertFalse(s.admitsInbound(p[3], 0));
        // As the flooded peer's actor takes its buffers, the others get in again, round by
        // round, each while under its share, and the total never passes half the pool.
        s.releaseInbound(p[0], p[0].held());
        boolean any = true;
        while (any) {
            any = false;
            for (int i = 3; i < 40; i++) {
                if (s.admitsInbound(p[i], 0)) {
                    s.chargeInbound(p[i], 1);
                    any = true;
                }
                assertTrue(s.held() <= POOL / 2, "at most half the pool: " + s.held());
            }
        }
        assertEquals(POOL / 2, s.held(), "full again");
        for (int i = 3; i < 40; i++) {
            assertTrue(p[i].held() >= 50, "peer " + i + " got little: " + p[i].held());
        }
        assertFalse(s.admitsInbound(p[0], 0), "full");
        assertFalse(s.admitsInbound(p[1], 0), "above its fair share");
    }

    @Test
    void aFloodFromAPeerDoesNotBlockPacketsForItAndALightSenderGetsPastAHeavyOne() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(4);
        PeerHandle a = p[0];
        PeerHandle b = p[1];
        PeerHandle c = p[2];
        PeerHandle d = p[3];
        // b's own datagrams (or a flood at b's index) fill a part of b's inbound share...
        assertEquals(1024, fill(s, b, 1024));
        // ...and packets for b still get in: a's TCP flow to a slow b fills b's outbound share,
        // whatever the fair shares say (these packets are opened already).
        int fromA = 0;
        while (s.admitsOutbound(a, b, 0)) {
            s.chargeOutbound(a, b, 1);
            fromA++;
        }
        assertEquals(2048, fromA);
        assertEquals(2048, a.handedOut());
        assertEquals(2048, b.heldOut());
        assertEquals(3072, b.held());
        assertFalse(s.admitsInbound(b, 0), "over three eighths, b holds more than its fair share");
        assertTrue(s.admitsInbound(d, 0), "a peer holding nothing still gets its datagrams in");
        // c, sending a ping now and then, is light: it gets the quarter more kept for light senders.
        for (int i = 0; i < MailboxShares.LIGHT; i++) {
            assertTrue(s.admitsOutbound(c, b, 0), "ping " + i);
            s.chargeOutbound(c, b, 1);
        }
        assertFalse(s.admitsOutbound(c, b, 0), "16 in other mailboxes: no longer light");
        assertFalse(s.admitsOutbound(a, b, 0));
        // b's actor takes c's packets: c is light again.
        s.releaseOutbound(c, b, MailboxShares.LIGHT);
        assertEquals(0, c.handedOut());
        assertTrue(s.admitsOutbound(c, b, 0));
        s.releaseOutbound(a, b, fromA);
        s.releaseInbound(b, 1024);
        assertEquals(0, s.held());
        assertEquals(0, b.held());
        assertEquals(0, a.handedOut());
    }

    @Test
    void packetsForPeersStopAtHalfThePoolWhateverTheSenders() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(600);
        for (int i = 3; i < p.length; i++) { // light senders, 16 each, to three destinations
            for (int to = 0; to < 3; to++) {
                while (s.admitsOutbound(p[i], p[to], 0)) {
                    s.chargeOutbound(p[i], p[to], 1);
                }
            }
        }
        assertEquals(POOL / 2, s.held());
        for (int to = 0; to < 3; to++) {
            assertTrue(p[to].heldOut() <= 2048 + 512, "one destination's share and the light senders' quarter: " + p[to].heldOut());
        }
    }

    @Test
    void randomChargesAndReleasesKeepTheBooksAgainstACountedModel() {
        Random r = new Random(17);
        for (int round = 0; round < 200; round++) {
            int pool = 64 + r.nextInt(20_000);
            MailboxShares s = new MailboxShares(pool);
            PeerHandle[] p = peers(1 + r.nextInt(50));
            int[] in = new int[p.length];
            int[][] out = new int[p.length][p.length]; // out[from][to]
            for (int op = 0; op < 2000; op++) {
                int i = r.nextInt(p.length);
                int j = r.nextInt(p.length);
                switch (r.nextInt(4)) {
                    case 0 -> {
                        if (in[i] > 0) {
                            int n = 1 + r.nextInt(in[i]);
                            s.releaseInbound(p[i], n);
                            in[i] -= n;
                        }
                    }
                    case 1 -> {
                        if (out[i][j] > 0) {
                            int n = 1 + r.nextInt(out[i][j]);
                            s.releaseOutbound(p[i], p[j], n);
                            out[i][j] -= n;
                        }
                    }
                    case 2 -> {
                        int want = 1 + r.nextInt(64);
                        int n = 0;
                        while (n < want && s.admitsInbound(p[i], n)) {
                            n++;
                        }
                        s.chargeInbound(p[i], n);
                        in[i] += n;
                    }
                    default -> {
                        int want = 1 + r.nextInt(64);
                        int n = 0;
                        while (n < want && s.admitsOutbound(p[i], p[j], n)) {
                            n++;
                        }
                        s.chargeOutbound(p[i], p[j], n);
                        out[i][j] += n;
                    }
                }
                int total = 0;
                for (int k = 0; k < p.length; k++) {
                    int heldOut = 0;
                    int handedOut = 0;
                    for (int m = 0; m < p.length; m++) {
                        heldOut += out[m][k];
                        handedOut += out[k][m];
                    }
                    assertEquals(in[k] + heldOut, p[k].held());
                    assertEquals(heldOut, p[k].heldOut());
                    assertEquals(handedOut, p[k].handedOut());
                    assertTrue(in[k] <= s.peerQuota(), "inbound over the quota");
                    assertTrue(heldOut <= s.peerQuota() + s.peerQuota() / 4, "outbound over the share and the light senders' quarter");
                    total += in[k] + heldOut;
                }
                assertEquals(total, s.held());
                assertTrue(total <= Math.max(s.peerQuota(), pool / 2), "over half the pool: " + total + " of " + pool);
            }
        }
    }
}
