package io.switchyard.wireguard.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Key32;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.session.Keypair;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two devices, each with the other as its peer, driven in memory: the bytes one engine produces
 * are handed to the other as a socket would, so every message goes through the real Noise,
 * MAC, AEAD and replay code. A fake clock moves only when told.
 */
class PeerEngineTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Instant wall = Instant.parse("2026-11-22T09:00:00Z");
    private final InstantSource wallClock = () -> wall;
    private Device alice;
    private Device bob;
    private PeerEngine aliceToBob;
    private PeerEngine bobToAlice;
    private final InetSocketAddress aliceAddr = new InetSocketAddress("127.0.0.1", 40001);

    @BeforeEach
    void setUp() {
        Environment env = new Environment(X25519::generatePrivateKey, wallClock, nanos::get, WireGuard.IDENTIFIER);
        Key32 a = Key32.of(X25519.generatePrivateKey());
        Key32 b = Key32.of(X25519.generatePrivateKey());
        alice = new Device(a, env, new SplittableRandom(1), 1024);
        bob = new Device(b, env, new SplittableRandom(2), 1024);
        Key32 psk = Key32.of(X25519.generatePrivateKey());
        aliceToBob = alice.addPeer(bob.publicKey(), psk);
        bobToAlice = bob.addPeer(alice.publicKey(), psk);
    }

    private long now() {
        return nanos.get();
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        wall = wall.plus(d);
    }

    /** Alice initiates, Bob answers, Alice installs: returns Bob's completed outcome. */
    private HandshakeOutcome.Completed handshake() {
        byte[] init = aliceToBob.createInitiation(now());
        assertNotNull(init);
        assertEquals(HandshakeGate.Verdict.ACCEPT, bob.admit(init, aliceAddr, false));
        var atBob = assertInstanceOf(HandshakeOutcome.Completed.class, bob.handleInitiation(init));
        assertSame(bobToAlice, atBob.peer());
        bobToAlice.installSession(atBob.keys(), now());
        assertEquals(HandshakeGate.Verdict.ACCEPT, alice.admit(atBob.response(), aliceAddr, false));
        var atAlice = assertInstanceOf(HandshakeOutcome.Completed.class, alice.handleResponse(atBob.response()));
        assertSame(aliceToBob, atAlice.peer());
        aliceToBob.installSession(atAlice.keys(), now());
        return atBob;
    }

    private static ByteBuffer packet(String text) {
        ByteBuffer b = ByteBuffer.allocate(256);
        byte[] t = text.getBytes();
        b.put(16, t);
        return b;
    }

    private static byte[] plaintext(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(16, out);
        return out;
    }

    @Test
    void handshakeThenDataBothWaysWithKeyConfirmation() {
        handshake();
        int actions = aliceToBob.pollActions();
        assertTrue((actions & PeerEngine.SESSION_READY) != 0, "initiator may send at once");
        assertTrue((actions & PeerEngine.SEND_KEEPALIVE) != 0, "initiator confirms the session");

        // The responder must not send before the initiator's first data message.
        ByteBuffer early = packet("too early");
        assertEquals(PeerEngine.NO_SESSION, bobToAlice.seal(early, 0, 9, now()));
        assertFalse(bobToAlice.canSend(now()));

        ByteBuffer m = packet("hello bob");
        int len = aliceToBob.seal(m, 0, 9, now());
        assertEquals(16 + 16 + 16, len, "9 bytes pad to 16, plus header and tag");
        assertEquals(WireGuard.MESSAGE_TRANSPORT_TYPE, m.order(ByteOrder.LITTLE_ENDIAN).getInt(0));
        m.order(ByteOrder.BIG_ENDIAN);
        assertSame(bobToAlice, bob.peerByIndex(Device.receiverIndex(m, 0)), "receiver index finds the peer");
        int n = bobToAlice.open(m, 0, len, now());
        assertEquals(16, n, "padded plaintext length");
        assertArrayEquals("hello bob".getBytes(), java.util.Arrays.copyOf(plaintext(m, n), 9));
        assertTrue((bobToAlice.pollActions() & PeerEngine.SESSION_READY) != 0, "confirmation readies the responder");
        assertTrue(bobToAlice.canSend(now()));

        ByteBuffer r = packet("hi alice");
        int rl = bobToAlice.seal(r, 0, 8, now());
        assertEquals(48, rl);
        int rn = aliceToBob.open(r, 0, rl, now());
        assertEquals(16, rn);
        assertArrayEquals("hi alice".getBytes(), java.util.Arrays.copyOf(plaintext(r, rn), 8));
    }

    @Test
    void keepaliveIsAnEmptyTransportMessage() {
        handshake();
        ByteBuffer k = ByteBuffer.allocateDirect(64);
        int len = aliceToBob.sealKeepalive(k, 0, now());
        assertEquals(WireGuard.MESSAGE_TRANSPORT_MIN_SIZE, len);
        assertEquals(0, bobToAlice.open(k, 0, len, now()));
        assertTrue(bobToAlice.canSend(now()), "a keepalive confirms the session too");
    }

    @Test
    void replayedMessageIsRefusedAndOnlyAuthenticatedPacketsMoveTheWindow() {
        handshake();
        ByteBuffer m = packet("once");
        int len = aliceToBob.seal(m, 0, 4, now());
        byte[] wire = new byte[len];
        m.get(0, wire);
        assertTrue(bobToAlice.open(ByteBuffer.wrap(wire.clone()), 0, len, now()) >= 0);
        assertEquals(PeerEngine.REPLAYED, bobToAlice.open(ByteBuffer.wrap(wire.clone()), 0, len, now()));

        // A forgery with a far-ahead counter and a bad tag must not slide the window.
        ByteBuffer next = packet("second");
        int nl = aliceToBob.seal(next, 0, 6, now());
        byte[] forged = new byte[nl];
        next.get(0, forged);
        byte[] genuine = forged.clone();
        ByteBuffer f = ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN);
        f.putLong(8, 1_000_000L);
        assertEquals(PeerEngine.BAD_TAG, bobToAlice.open(f, 0, nl, now()));
        assertTrue(bobToAlice.open(ByteBuffer.wrap(genuine), 0, nl, now()) >= 0, "genuine counter 1 still opens");
    }

    @Test
    void flippedCiphertextBitIsABadTag() {
        handshake();
        ByteBuffer m = packet("payload!");
        int len = aliceToBob.seal(m, 0, 8, now());
        m.put(20, (byte) (m.get(20) ^ 1));
        assertEquals(PeerEngine.BAD_TAG, bobToAlice.open(m, 0, len, now()));
    }

    @Test
    void malformedAndUnknownIndex() {
        handshake();
        ByteBuffer shortOne = ByteBuffer.allocate(64);
        assertEquals(PeerEngine.MALFORMED, bobToAlice.open(shortOne, 0, 31, now()));
        ByteBuffer wrongType = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        wrongType.putInt(0, 1);
        assertEquals(PeerEngine.MALFORMED, bobToAlice.open(wrongType, 0, 48, now()));
        ByteBuffer m = packet("x");
        int len = aliceToBob.seal(m, 0, 1, now());
        m.order(ByteOrder.LITTLE_ENDIAN).putInt(4, Device.receiverIndex(m, 0) + 1);
        assertEquals(PeerEngine.UNKNOWN_INDEX, bobToAlice.open(m, 0, len, now()));
    }

    @Test
    void expiredSessionRefusesAndAsksForAHandshake() {
        handshake();
        ByteBuffer m = packet("late");
        int len = aliceToBob.seal(m, 0, 4, now());
        advance(WireGuard.REJECT_AFTER_TIME);
        assertEquals(PeerEngine.EXPIRED, bobToAlice.open(m, 0, len, now()));
        aliceToBob.pollActions();
        assertEquals(PeerEngine.NO_SESSION, aliceToBob.seal(packet("more"), 0, 4, now()));
        assertTrue((aliceToBob.pollActions() & PeerEngine.SEND_HANDSHAKE_INITIATION) != 0);
    }

    @Test
    void sealWithoutSessionAsksForAHandshakeAndStagingKeepsTheNewest() {
        assertEquals(PeerEngine.NO_SESSION, aliceToBob.seal(packet("a"), 0, 1, now()));
        assertEquals(PeerEngine.SEND_HANDSHAKE_INITIATION, aliceToBob.pollActions());
        StagingQueue<String> staged = new StagingQueue<>(2);
        assertNull(staged.offer("1"));
        assertNull(staged.offer("2"));
        assertEquals("1", staged.offer("3"), "full: the oldest makes room");
        assertEquals("2", staged.poll());
        assertEquals("3", staged.poll());
        assertNull(staged.poll());
    }

    @Test
    void noRoomForTheTagIsAStatus() {
        handshake();
        ByteBuffer tiny = ByteBuffer.allocate(40);
        assertEquals(PeerEngine.NO_ROOM, aliceToBob.seal(tiny, 0, 9, now()));
        // Exactly enough room: no padding, still a valid message.
        ByteBuffer exact = ByteBuffer.allocate(16 + 9 + 16);
        int len = aliceToBob.seal(exact, 0, 9, now());
        assertEquals(41, len);
        assertEquals(9, bobToAlice.open(exact, 0, len, now()));
    }

    @Test
    void newHandshakeRotatesKeysAndOldSessionStillOpensInFlightPackets() {
        handshake();
        ByteBuffer first = packet("confirm");
        bobToAlice.open(first, 0, aliceToBob.seal(first, 0, 7, now()), now());
        // A packet sealed on the old session, delivered after the rekey.
        ByteBuffer inFlight = packet("in flight");
        int inFlightLen = aliceToBob.seal(inFlight, 0, 9, now());
        advance(WireGuard.REKEY_TIMEOUT.plusSeconds(1));
        handshake();
        assertTrue(bobToAlice.open(inFlight, 0, inFlightLen, now()) >= 0, "previous keypair still opens");
        ByteBuffer fresh = packet("fresh");
        int fl = aliceToBob.seal(fresh, 0, 5, now());
        assertTrue(bobToAlice.open(fresh, 0, fl, now()) >= 0);
    }

    @Test
    void removedPeerFreesItsIndexes() {
        handshake();
        ByteBuffer m = packet("bye");
        int len = aliceToBob.seal(m, 0, 3, now());
        int index = Device.receiverIndex(m, 0);
        assertSame(bobToAlice, bob.peerByIndex(index));
        assertSame(bobToAlice, bob.removePeer(alice.publicKey()));
        assertNull(bob.peerByIndex(index), "traffic to a removed peer finds nobody");
        assertEquals(0, bob.indexCount());
        assertEquals(PeerEngine.UNKNOWN_INDEX, bobToAlice.open(m, 0, len, now()));
        byte[] init = aliceToBob.createInitiation(now() + WireGuard.REKEY_TIMEOUT.toNanos());
        var refused = assertInstanceOf(HandshakeOutcome.Refused.class, bob.handleInitiation(init));
        assertEquals(HandshakeException.Reason.UNKNOWN_PEER, refused.reason());
    }

    @Test
    void replayedInitiationIsRefusedAndSpoofedResponseLeavesThePendingOneUsable() {
        byte[] init = aliceToBob.createInitiation(now());
        assertInstanceOf(HandshakeOutcome.Completed.class, bob.handleInitiation(init));
        advance(Duration.ofSeconds(1));
        var replay = assertInstanceOf(HandshakeOutcome.Refused.class, bob.handleInitiation(init));
        assertEquals(HandshakeException.Reason.STALE_TIMESTAMP, replay.reason());

        advance(WireGuard.REKEY_TIMEOUT);
        byte[] init2 = aliceToBob.createInitiation(now());
        var ok = assertInstanceOf(HandshakeOutcome.Completed.class, bob.handleInitiation(init2));
        byte[] spoofed = ok.response().clone();
        spoofed[20] ^= 1; // the ephemeral: the empty payload no longer authenticates
        assertInstanceOf(HandshakeOutcome.Refused.class, alice.handleResponse(spoofed));
        assertInstanceOf(HandshakeOutcome.Completed.class, alice.handleResponse(ok.response()));
    }

    @Test
    void timersAskForARetransmissionAfterRekeyTimeout() {
        byte[] init = aliceToBob.createInitiation(now());
        assertNotNull(init);
        assertTrue(aliceToBob.hasDeadline());
        long due = aliceToBob.nextDeadline();
        assertEquals(0, aliceToBob.advanceTimers(due - 1) & PeerEngine.SEND_HANDSHAKE_INITIATION);
        advance(Duration.ofNanos(due - now()));
        assertTrue((aliceToBob.advanceTimers(now()) & PeerEngine.SEND_HANDSHAKE_INITIATION) != 0);
        int before = alice.indexCount();
        assertNotNull(aliceToBob.createInitiation(now()));
        assertEquals(before, alice.indexCount(), "the superseded handshake's index is freed");
    }

    @Test
    void cookieReplyIsTakenOnlyForOurOwnMessage() {
        byte[] init = aliceToBob.createInitiation(now());
        assertEquals(HandshakeGate.Verdict.SEND_COOKIE, bob.admit(init, aliceAddr, true));
        byte[] reply = bob.cookieReply(init, aliceAddr);
        assertSame(aliceToBob, alice.handleCookieReply(reply));
        assertNull(alice.handleCookieReply(reply), "one reply per message sent");
        advance(WireGuard.REKEY_TIMEOUT);
        byte[] withMac2 = aliceToBob.createInitiation(now());
        assertEquals(HandshakeGate.Verdict.ACCEPT, bob.admit(withMac2, aliceAddr, true));
    }

    /**
     * ZERO_KEY_MATERIAL at 3 x REJECT_AFTER_TIME (540 s) after the last session: the keys of every
     * keypair read as zeros and can no longer seal, and a handshake that was pending is wiped, so
     * its late response is refused both by index and by the Noise state itself.
     */
    @Test
    void keysAndPendingHandshakeAreZeroedAt540Seconds() throws Exception {
        long derived = now();
        handshake();
        ByteBuffer confirm = packet("confirm");
        assertTrue(bobToAlice.open(confirm, 0, aliceToBob.seal(confirm, 0, 7, now()), now()) >= 0);
        Keypair aliceKeys = aliceToBob.keypairs().current();
        Keypair bobKeys = bobToAlice.keypairs().current();
        assertNotNull(aliceKeys);
        assertNotNull(bobKeys);

        // At 530 s Alice starts a handshake; Bob answers, but the answer is held back.
        advance(Duration.ofSeconds(530));
        byte[] init = aliceToBob.createInitiation(now());
        var atBob = assertInstanceOf(HandshakeOutcome.Completed.class, bob.handleInitiation(init));
        int pending = aliceToBob.handshake().pendingLocalIndex();
        assertTrue(pending != 0);
        assertSame(aliceToBob, alice.peerByIndex(pending));

        advance(Duration.ofNanos(derived + 540_000_000_000L - 1 - now()));
        assertEquals(0, aliceToBob.advanceTimers(now()) & PeerEngine.ZERO_KEY_MATERIAL, "not before 540 s");
        assertEquals(48, aliceKeys.seal(1_000, ByteBuffer.allocate(64), 16, 32), "the keys still work at 540 s - 1 ns");
        assertFalse(aliceKeys.isDestroyed());

        advance(Duration.ofNanos(1));
        assertTrue((aliceToBob.advanceTimers(now()) & PeerEngine.ZERO_KEY_MATERIAL) != 0, "zeroed at 540 s");
        assertTrue((bobToAlice.advanceTimers(now()) & PeerEngine.ZERO_KEY_MATERIAL) != 0);
        assertTrue(aliceKeys.isDestroyed(), "Alice's send and receive keys read as zeros");
        assertTrue(bobKeys.isDestroyed(), "Bob's too");
        assertThrows(IllegalStateException.class, () -> aliceKeys.seal(1_001, ByteBuffer.allocate(64), 16, 32),
                "a zeroed key must never seal (it would encrypt in the clear)");
        assertFalse(aliceKeys.canSend(now()));
        assertNull(aliceToBob.keypairs().current());
        assertEquals(PeerEngine.NO_SESSION, aliceToBob.seal(packet("gone"), 0, 4, now()));

        // The pending handshake is gone: index freed, Noise state wiped.
        assertTrue(aliceToBob.handshake().isZeroed());
        assertEquals(0, aliceToBob.handshake().pendingLocalIndex());
        assertNull(alice.peerByIndex(pending));
        assertEquals(0, alice.indexCount(), "every index of Alice's is freed");
        var late = assertInstanceOf(HandshakeOutcome.Refused.class, alice.handleResponse(atBob.response()));
        assertEquals(HandshakeException.Reason.UNKNOWN_INDEX, late.reason());
        var direct = assertThrows(HandshakeException.class,
                () -> alice.noise().consumeResponse(atBob.response(), i -> aliceToBob.handshake()));
        assertEquals(HandshakeException.Reason.UNEXPECTED_STATE, direct.reason(), "no state left to complete");

        // Life goes on: a new handshake gives working keys.
        handshake();
        ByteBuffer again = packet("again");
        assertTrue(bobToAlice.open(again, 0, aliceToBob.seal(again, 0, 5, now()), now()) >= 0);
    }

    /**
     * The 165 s receive-side rekey applies to the current keypair when we initiated it, not to
     * whichever keypair a packet opened with (wireguard-go's keepKeyFreshReceiving).
     */
    @Test
    void receiveSideRekeyLooksAtTheCurrentKeypairOnly() {
        handshake(); // H1: Alice initiated
        ByteBuffer confirm = packet("confirm");
        assertTrue(bobToAlice.open(confirm, 0, aliceToBob.seal(confirm, 0, 7, now()), now()) >= 0);
        ByteBuffer late = packet("late on H1");
        int lateLen = bobToAlice.seal(late, 0, 10, now());

        // 100 s later Bob initiates H2; Alice is its responder and H2 becomes her current.
        advance(Duration.ofSeconds(100));
        byte[] init = bobToAlice.createInitiation(now());
        var atAlice = assertInstanceOf(HandshakeOutcome.Completed.class, alice.handleInitiation(init));
        aliceToBob.installSession(atAlice.keys(), now());
        var atBob = assertInstanceOf(HandshakeOutcome.Completed.class, bob.handleResponse(atAlice.response()));
        bobToAlice.installSession(atBob.keys(), now());
        ByteBuffer onH2 = packet("on H2");
        assertTrue(aliceToBob.open(onH2, 0, bobToAlice.seal(onH2, 0, 6, now()), now()) >= 0);
        aliceToBob.pollActions();

        // At 166 s H1 (previous, Alice initiator) is past 165 s; H2 (current, responder) is 66 s old.
        advance(Duration.ofSeconds(66));
        assertTrue(aliceToBob.open(late, 0, lateLen, now()) >= 0, "the in-flight packet opens on H1");
        assertEquals(0, aliceToBob.pollActions() & PeerEngine.SEND_HANDSHAKE_INITIATION,
                "H1's age is no reason to rekey: we send on H2, and we did not initiate it");
    }

    @Test
    void receiveSideRekeyAt165SecondsOnTheCurrentInitiatorKeypair() {
        handshake();
        ByteBuffer confirm = packet("confirm");
        assertTrue(bobToAlice.open(confirm, 0, aliceToBob.seal(confirm, 0, 7, now()), now()) >= 0);
        aliceToBob.pollActions();
        advance(Duration.ofSeconds(164));
        ByteBuffer early = packet("164 s");
        assertTrue(aliceToBob.open(early, 0, bobToAlice.seal(early, 0, 5, now()), now()) >= 0);
        assertEquals(0, aliceToBob.pollActions() & PeerEngine.SEND_HANDSHAKE_INITIATION);
        advance(Duration.ofSeconds(1));
        ByteBuffer due = packet("165 s");
        assertTrue(aliceToBob.open(due, 0, bobToAlice.seal(due, 0, 5, now()), now()) >= 0);
        assertTrue((aliceToBob.pollActions() & PeerEngine.SEND_HANDSHAKE_INITIATION) != 0, "asks once at 165 s");
        ByteBuffer again = packet("again");
        assertTrue(aliceToBob.open(again, 0, bobToAlice.seal(again, 0, 5, now()), now()) >= 0);
        assertEquals(0, aliceToBob.pollActions() & PeerEngine.SEND_HANDSHAKE_INITIATION, "only once");
    }
}
