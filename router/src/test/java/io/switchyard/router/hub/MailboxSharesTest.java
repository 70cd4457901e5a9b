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
        assertEquals(512, s.peerQuota());
        assertEquals(512, fill(s, p[0], 10_000));
        assertFalse(s.admitsInbound(p[0], 0));
        assertFalse(s.admitsInbound(p[1], 512), "pending buffers count against the peer");
        assertTrue(s.admitsInbound(p[1], 511));
        s.releaseInbound(p[0], 1);
        assertTrue(s.admitsInbound(p[0], 0));
    }

    @Test
    void aboveThreeEighthsOnlyPeersUnderTheirFairShareGetMoreAndHalfThePoolIsTheEnd() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(40);
        for (int i = 0; i < 6; i++) {
            assertEquals(512, fill(s, p[i], 10_000)); // six flooded peers: 3,072 = three eighths
        }
        assertEquals(3072, s.held());
        // A seventh peer, holding nothing, still gets in; the flooded ones, above the fair share, do not.
        assertEquals(3072 / 7, fill(s, p[6], 10_000));
        for (int i = 0; i < 6; i++) {
            s.releaseInbound(p[i], 50);
            assertFalse(s.admitsInbound(p[i], 0), "462 is still above the fair share of " + 3072 / 7);
        }
        // More peers: each gets in while under its share, and the total never passes half the pool.
        for (int i = 7; i < 40; i++) {
            fill(s, p[i], 10_000);
            assertTrue(s.held() <= POOL / 2, "at most half the pool: " + s.held());
        }
        assertEquals(POOL / 2, s.held(), "full");
        assertFalse(s.admitsInbound(p[39], 0));
        // As the flooded peers' actors take their buffers, the others get in again, round by
        // round, and the flooded ones wait while the others hold more.
        for (int i = 0; i < 6; i++) {
            s.releaseInbound(p[i], p[i].held());
        }
        boolean any = true;
        while (any) {
            any = false;
            for (int i = 7; i < 40; i++) {
                if (s.admitsInbound(p[i], 0)) {
                    s.chargeInbound(p[i], 1);
                    any = true;
                }
            }
        }
        for (int i = 9; i < 40; i++) {
            assertTrue(p[i].held() >= 64, "peer " + i + " got little: " + p[i].held());
        }
        assertFalse(s.admitsInbound(p[0], 0), "full");
    }

    @Test
    void aFloodFromAPeerDoesNotBlockPacketsForItAndALightSenderGetsPastAHeavyOne() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(4);
        PeerHandle a = p[0];
        PeerHandle b = p[1];
        PeerHandle c = p[2];
        PeerHandle d = p[3];
        // b's own datagrams (or a flood at b's index) fill b's inbound part...
        assertEquals(512, fill(s, b, 10_000));
        // ...and packets for b still get in: a's TCP flow to a slow b gets up to three eighths
        // of the pool in all (packets already opened are not refused while there is room).
        int fromA = 0;
        while (s.admitsOutbound(a, b, 0)) {
            s.chargeOutbound(a, b, 1);
            fromA++;
        }
        assertEquals(3072 - 512, fromA);
        assertEquals(fromA, a.handedOut());
        assertEquals(fromA, b.heldOut());
        assertEquals(3072, b.held());
        assertFalse(s.admitsInbound(b, 0), "over three eighths, b holds more than its fair share");
        // c, sending a ping now and then, is light: it gets in up to half the pool.
        for (int i = 0; i < MailboxShares.LIGHT; i++) {
            assertTrue(s.admitsOutbound(c, b, 0), "ping " + i);
            s.chargeOutbound(c, b, 1);
        }
        assertFalse(s.admitsOutbound(c, b, 0), "16 in other mailboxes: no longer light");
        assertFalse(s.admitsOutbound(a, b, 0));
        // Another peer, holding nothing, still gets its datagrams in.
        assertTrue(s.admitsInbound(d, 0));
        // b's actor takes c's packets: c is light again.
        s.releaseOutbound(c, b, MailboxShares.LIGHT);
        assertEquals(0, c.handedOut());
        assertTrue(s.admitsOutbound(c, b, 0));
        s.releaseOutbound(a, b, fromA);
        s.releaseInbound(b, 512);
        assertEquals(0, s.held());
        assertEquals(0, b.held());
        assertEquals(0, a.handedOut());
    }

    @Test
    void packetsForAPeerStopAtHalfThePoolWhateverTheSenders() {
        MailboxShares s = new MailboxShares(POOL);
        PeerHandle[] p = peers(200);
        PeerHandle b = p[0];
        for (int i = 1; i < p.length; i++) { // 199 light senders, 16 each
            while (s.admitsOutbound(p[i], b, 0)) {
                s.chargeOutbound(p[i], b, 1);
            }
        }
        assertEquals(POOL / 2, s.held());
        assertEquals(POOL / 2, b.heldOut());
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
                    total += in[k] + heldOut;
                }
                assertEquals(total, s.held());
                assertTrue(total <= Math.max(s.peerQuota(), pool / 2), "over half the pool: " + total + " of " + pool);
            }
        }
    }
}
