package io.switchyard.wireguard.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.Handshake;
import io.switchyard.wireguard.noise.Noise;
import io.switchyard.wireguard.noise.SessionKeys;
import io.switchyard.wireguard.noise.StaticIdentity;
import io.switchyard.wireguard.WireGuard;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SessionTest {
    private static final long SECOND = 1_000_000_000L;

    /** A real handshake between two identities, returning (initiator keys, responder keys). */
    private static SessionKeys[] handshake() throws Exception {
        long[] now = {0};
        Environment env = new Environment(X25519::generatePrivateKey, InstantSource.system(), () -> now[0], WireGuard.IDENTIFIER);
        Noise a = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        Noise b = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        Handshake ab = a.newPeer(b.identity().publicKey(), null);
        Handshake ba = b.newPeer(a.identity().publicKey(), null);
        b.consumeInitiation(a.createInitiation(ab, 101), k -> ba);
        a.consumeResponse(b.createResponse(ba, 202), i -> ab);
        return new SessionKeys[] {a.beginSession(ab), b.beginSession(ba)};
    }

    private static ByteBuffer packet(int payload) {
        return ByteBuffer.allocateDirect(16 + payload + 16);
    }

    @Test
    void keypairsPushedOutOrClearedAreZeroed() throws Exception {
        List<Keypair> freed = new ArrayList<>();
        Keypairs slots = new Keypairs(freed::add);
        Keypair first = new Keypair(handshake()[0], 0);
        Keypair second = new Keypair(handshake()[0], 0);
        Keypair third = new Keypair(handshake()[0], 0);
        slots.install(first);
        slots.install(second); // first -> previous
        slots.install(third); // first pushed out: its index freed and its keys wiped
        assertEquals(List.of(first), freed);
        assertTrue(first.isDestroyed());
        assertFalse(second.isDestroyed());
        slots.clear(); // another thread's removal: dropped, not yet wiped (a seal may be running)
        assertFalse(second.isDestroyed());
        assertFalse(third.isDestroyed());
        slots.zeroCleared(); // the owner's thread
        assertTrue(second.isDestroyed());
        assertTrue(third.isDestroyed());
    }

    @Test
    void dataFlowsAndReplaysAreRefusedAfterOpen() throws Exception {
        SessionKeys[] k = handshake();
        Keypair a = new Keypair(k[0], 0);
        Keypair b = new Keypair(k[1], 0);
        ByteBuffer p = packet(100);
        long c = a.nextSendCounter();
        assertEquals(0, c);
        assertEquals(116, a.seal(c, p, 16, 100));
        ByteBuffer copy = ByteBuffer.allocateDirect(p.capacity()).put(p.duplicate().clear()).clear();
        assertEquals(100, b.open(c, p, 16, 116, SECOND));
        assertEquals(Keypair.REPLAYED, b.open(c, copy, 16, 116, SECOND));
        // A forged packet with a far-ahead counter fails the tag and must not move the window.
        ByteBuffer forged = packet(100);
        assertEquals(Keypair.BAD_TAG, b.open(1_000_000, forged, 16, 116, SECOND));
        ByteBuffer p1 = packet(0);
        a.seal(a.nextSendCounter(), p1, 16, 0);
        assertEquals(0, b.open(1, p1, 16, 16, SECOND), "keepalive with counter 1 still fits the window");
    }

    @Test
    void sendCounterStopsAtRejectAfterMessages() throws Exception {
        SessionKeys[] k = handshake();
        Keypair a = new Keypair(k[0], 0, WireGuard.REJECT_AFTER_MESSAGES - 2);
        assertTrue(a.canSend(0));
        assertTrue(a.wantsRekeyOnSend(0), "far past REKEY_AFTER_MESSAGES");
        assertEquals(WireGuard.REJECT_AFTER_MESSAGES - 2, a.nextSendCounter());
        assertEquals(WireGuard.REJECT_AFTER_MESSAGES - 1, a.nextSendCounter());
        assertEquals(-1, a.nextSendCounter());
        assertEquals(-1, a.nextSendCounter(), "sticks; never wraps");
        assertFalse(a.canSend(0));

        Keypair fresh = new Keypair(k[0], 0, WireGuard.REKEY_AFTER_MESSAGES - 1);
        assertFalse(fresh.wantsRekeyOnSend(0));
        fresh.nextSendCounter();
        assertTrue(fresh.wantsRekeyOnSend(0));
    }

    @Test
    void timeLimits() throws Exception {
        SessionKeys[] k = handshake();
        Keypair initiator = new Keypair(k[0], 0);
        Keypair responder = new Keypair(k[1], 0);
        assertFalse(initiator.wantsRekeyOnSend(119 * SECOND));
        assertTrue(initiator.wantsRekeyOnSend(120 * SECOND));
        assertFalse(responder.wantsRekeyOnSend(170 * SECOND), "only the initiator rekeys by time");
        assertFalse(initiator.wantsRekeyOnReceive(164 * SECOND));
        assertTrue(initiator.wantsRekeyOnReceive(165 * SECOND), "180 - 10 - 5 s");
        assertFalse(responder.wantsRekeyOnReceive(179 * SECOND));
        assertTrue(initiator.canSend(180 * SECOND - 1));
        assertFalse(initiator.canSend(180 * SECOND));
        ByteBuffer p = packet(10);
        initiator.seal(initiator.nextSendCounter(), p, 16, 10);
        assertEquals(Keypair.EXPIRED, responder.open(0, p, 16, 26, 180 * SECOND));
        assertEquals(10, responder.open(0, p, 16, 26, 180 * SECOND - 1));
    }

    @Test
    void keyConfirmationRotatesSlots() throws Exception {
        List<Keypair> retired = new ArrayList<>();
        SessionKeys[] k1 = handshake();
        SessionKeys[] k2 = handshake();
        SessionKeys[] k3 = handshake();

        // Responder side: new keypairs wait in next, nothing to send on until confirmed.
        Keypairs responder = new Keypairs(retired::add);
        Keypair r1 = new Keypair(k1[1], 0);
        responder.install(r1);
        assertNull(responder.current(), "the responder sends nothing before key confirmation");
        assertSame(r1, responder.next());
        assertFalse(responder.received(new Keypair(k2[1], 0)));
        assertTrue(responder.received(r1));
        assertSame(r1, responder.current());
        assertNull(responder.next());
        Keypair r2 = new Keypair(k2[1], 0);
        responder.install(r2);
        assertSame(r1, responder.current(), "keeps sending on the confirmed one meanwhile");
        assertTrue(responder.received(r2));
        assertSame(r2, responder.current());
        assertSame(r1, responder.previous());
        assertTrue(retired.isEmpty());

        // Initiator side: current at once; the old current becomes previous, the one before retires.
        Keypairs initiator = new Keypairs(retired::add);
        Keypair i1 = new Keypair(k1[0], 0);
        Keypair i2 = new Keypair(k2[0], 0);
        Keypair i3 = new Keypair(k3[0], 0);
        initiator.install(i1);
        assertSame(i1, initiator.current());
        initiator.install(i2);
        assertSame(i2, initiator.current());
        assertSame(i1, initiator.previous());
        initiator.install(i3);
        assertSame(i2, initiator.previous());
        assertEquals(List.of(i1), retired);

        // Roles can swap: a pending next (we responded) is superseded by our own initiation.
        Keypair asResponder = new Keypair(handshake()[1], 0);
        initiator.install(asResponder);
        assertSame(asResponder, initiator.next());
        assertNull(initiator.previous());
        Keypair asInitiator = new Keypair(handshake()[0], 0);
        initiator.install(asInitiator);
        assertSame(asInitiator, initiator.current());
        assertSame(asResponder, initiator.previous());
        assertTrue(retired.containsAll(List.of(i1, i2, i3)));
        initiator.clear();
        assertNull(initiator.current());
        assertTrue(retired.contains(asInitiator) && retired.contains(asResponder));
    }

    @Test
    void indexesAreRandomNonZeroAndNeverShared() {
        // A generator that repeats itself and emits zero: the table must skip both.
        int[] script = {0, 5, 5, 0, 5, 9, 9, 12};
        int[] at = {0};
        RandomGenerator scripted = new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public int nextInt() {
                return script[at[0]++];
            }
        };
        IndexTable<String> t = new IndexTable<>(scripted);
        assertEquals(5, t.register("a"));
        assertEquals(9, t.register("b"));
        assertEquals(12, t.register("c"));
        assertEquals("b", t.get(9));
        assertTrue(t.replace(9, "b", "b2"));
        assertFalse(t.replace(9, "b", "b3"));
        assertFalse(t.remove(9, "b"));
        assertTrue(t.remove(9, "b2"));
        assertNull(t.get(9));

        IndexTable<Integer> big = new IndexTable<>(new SplittableRandom(1));
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50_000; i++) {
            int idx = big.register(i);
            assertNotEquals(0, idx);
            assertTrue(seen.add(idx));
        }
        assertEquals(50_000, big.size());
    }
}
