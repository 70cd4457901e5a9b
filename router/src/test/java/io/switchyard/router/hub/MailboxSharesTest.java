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
        while (n < upTo && s.admits(p, 0)) {
            s.charge(p, 1);
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
        assertFalse(s.admits(p[0], 0));
        assertFalse(s.admits(p[1], 512), "pending buffers count against the peer");
        assertTrue(s.admits(p[1], 511));
        s.release(p[0], 1);
        assertTrue(s.admits(p[0], 0));
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
            s.release(p[i], 50);
            assertFalse(s.admits(p[i], 0), "462 is still above the fair share of " + 3072 / 7);
        }
        // More peers: each gets in while under its share, and the total never passes half the pool.
        for (int i = 7; i < 40; i++) {
            fill(s, p[i], 10_000);
            assertTrue(s.held() <= POOL / 2, "at most half the pool: " + s.held());
        }
        assertEquals(POOL / 2, s.held(), "full");
        assertFalse(s.admits(p[39], 0));
        // As the flooded peers' actors take their buffers, the others get in again, round by
        // round, and the flooded ones wait while the others hold more.
        for (int i = 0; i < 6; i++) {
            s.release(p[i], p[i].held());
        }
        boolean any = true;
        while (any) {
            any = false;
            for (int i = 7; i < 40; i++) {
                if (s.admits(p[i], 0)) {
                    s.charge(p[i], 1);
                    any = true;
                }
            }
        }
        for (int i = 9; i < 40; i++) {
            assertTrue(p[i].held() >= 64, "peer " + i + " got little: " + p[i].held());
        }
        assertFalse(s.admits(p[0], 0), "full");
    }

    @Test
    void randomChargesAndReleasesKeepTheBooksAgainstACountedModel() {
        Random r = new Random(17);
        for (int round = 0; round < 200; round++) {
            int pool = 64 + r.nextInt(20_000);
            MailboxShares s = new MailboxShares(pool);
            PeerHandle[] p = peers(1 + r.nextInt(50));
            int[] model = new int[p.length];
            for (int op = 0; op < 2000; op++) {
                int i = r.nextInt(p.length);
                if (r.nextInt(3) == 0 && model[i] > 0) {
                    int n = 1 + r.nextInt(model[i]);
                    s.release(p[i], n);
                    model[i] -= n;
                } else {
                    int want = 1 + r.nextInt(64);
                    int n = 0;
                    while (n < want && s.admits(p[i], n)) {
                        n++;
                    }
                    s.charge(p[i], n);
                    model[i] += n;
                }
                int total = 0;
                for (int k = 0; k < p.length; k++) {
                    assertEquals(model[k], p[k].held());
                    assertTrue(model[k] <= s.peerQuota(), "a peer over its quota");
                    total += model[k];
                }
                assertEquals(total, s.held());
                assertTrue(total <= Math.max(s.peerQuota(), pool / 2) + 64,
                        "over half the pool (plus one batch being gathered): " + total + " of " + pool);
            }
        }
    }
}
