package io.switchyard.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.wireguard.crypto.Aead;
import io.switchyard.wireguard.Keys;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.noise.HandshakeException.Reason;
import io.switchyard.wireguard.WireGuard;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our initiator against our responder, with fake clocks, through the real MAC and cookie code. */
class HandshakeTest {
    private final FakeClocks clocks = new FakeClocks();
    private final byte[] psk = Keys.generatePresharedKey();
    private Noise alice;
    private Noise bob;
    private Handshake aliceToBob;
    private Handshake bobToAlice;
    private CookieChecker aliceChecker;
    private CookieChecker bobChecker;

    @BeforeEach
    void setUp() {
        Environment env = new Environment(X25519::generatePrivateKey, clocks, clocks, WireGuard.IDENTIFIER);
        alice = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        bob = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        aliceToBob = alice.newPeer(bob.identity().publicKey(), psk);
        bobToAlice = bob.newPeer(alice.identity().publicKey(), psk);
        aliceChecker = new CookieChecker(alice.identity(), clocks);
        bobChecker = new CookieChecker(bob.identity(), clocks);
    }

    private Handshake bobsPeers(byte[] key) {
        return Arrays.equals(key, alice.identity().publicKey()) ? bobToAlice : null;
    }

    private Handshake alicePending(int index) {
        return index == aliceToBob.pendingLocalIndex() ? aliceToBob : null;
    }

    @Test
    void fullHandshakeDerivesMatchingKeysThatCarryData() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 0x11111111);
        assertEquals(WireGuard.MESSAGE_INITIATION_SIZE, init.length);
        assertEquals(WireGuard.MESSAGE_INITIATION_TYPE, Messages.classify(init, init.length));
        assertTrue(bobChecker.checkMac1(init));
        assertFalse(aliceChecker.checkMac1(init), "mac1 is keyed by the receiver's public key");
        assertSame(bobToAlice, bob.consumeInitiation(init, this::bobsPeers));
        byte[] resp = bob.createResponse(bobToAlice, 0x22222222);
        assertEquals(WireGuard.MESSAGE_RESPONSE_SIZE, resp.length);
        assertTrue(aliceChecker.checkMac1(resp));
        assertSame(aliceToBob, alice.consumeResponse(resp, this::alicePending));
        SessionKeys a = alice.beginSession(aliceToBob);
        SessionKeys b = bob.beginSession(bobToAlice);
        assertTrue(a.initiator());
        assertFalse(b.initiator());
        assertArrayEquals(a.sendKey(), b.receiveKey());
        assertArrayEquals(a.receiveKey(), b.sendKey());
        assertFalse(Arrays.equals(a.sendKey(), a.receiveKey()));
        assertEquals(0x11111111, a.localIndex());
        assertEquals(0x22222222, a.remoteIndex());
        assertEquals(0x22222222, b.localIndex());
        assertEquals(0x11111111, b.remoteIndex());

        ByteBuffer packet = ByteBuffer.allocateDirect(16 + 64 + 16);
        packet.put(16, new byte[64]);
        Aead.of(a.sendKey()).seal(0, packet, 16, 64);
        assertEquals(64, Aead.of(b.receiveKey()).open(0, packet, 16, 80));
        // Both handshakes are spent: a second session needs a new exchange.
        assertThrows(HandshakeException.class, () -> alice.beginSession(aliceToBob));
    }

    /** The injected ephemeral source, clock and prologue fully determine message 1. */
    @Test
    void injectedEnvironmentMakesInitiationsReproducibleAndThePrologueBinds() throws Exception {
        byte[] initiatorKey = X25519.generatePrivateKey();
        byte[] ephemeral = X25519.generatePrivateKey();
        Environment fixed = new Environment(() -> ephemeral.clone(), clocks, clocks, WireGuard.IDENTIFIER);
        Noise first = new Noise(new StaticIdentity(initiatorKey), fixed);
        Noise second = new Noise(new StaticIdentity(initiatorKey), fixed);
        byte[] m1 = first.createInitiation(first.newPeer(bob.identity().publicKey(), psk), 9);
        byte[] m2 = second.createInitiation(second.newPeer(bob.identity().publicKey(), psk), 9);
        assertArrayEquals(m1, m2);
        assertArrayEquals(X25519.publicKey(ephemeral),
                Arrays.copyOfRange(m1, Messages.INITIATION_EPHEMERAL, Messages.INITIATION_EPHEMERAL + 32));

        Environment otherPrologue = new Environment(() -> ephemeral.clone(), clocks, clocks, "not WireGuard".getBytes());
        Noise stranger = new Noise(new StaticIdentity(initiatorKey), otherPrologue);
        byte[] m3 = stranger.createInitiation(stranger.newPeer(bob.identity().publicKey(), psk), 9);
        assertFalse(Arrays.equals(m1, m3));
        Handshake bobToFirst = bob.newPeer(first.identity().publicKey(), psk);
        assertEquals(Reason.DECRYPT_FAILED,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(m3, k -> bobToFirst)).reason());
        assertSame(bobToFirst, bob.consumeInitiation(m1, k -> bobToFirst));
    }

    @Test
    void pskMismatchFailsAtTheResponse() throws Exception {
        Handshake bobWrongPsk = bob.newPeer(alice.identity().publicKey(), Keys.generatePresharedKey());
        byte[] init = alice.createInitiation(aliceToBob, 1);
        bob.consumeInitiation(init, k -> bobWrongPsk);
        byte[] resp = bob.createResponse(bobWrongPsk, 2);
        HandshakeException e = assertThrows(HandshakeException.class, () -> alice.consumeResponse(resp, this::alicePending));
        assertEquals(Reason.DECRYPT_FAILED, e.reason());
    }

    @Test
    void replayedInitiationIsRefused() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 1);
        bob.consumeInitiation(init, this::bobsPeers);
        clocks.advance(Duration.ofSeconds(1)); // past the flood limit: only the timestamp stops it
        HandshakeException e = assertThrows(HandshakeException.class, () -> bob.consumeInitiation(init, this::bobsPeers));
        assertEquals(Reason.STALE_TIMESTAMP, e.reason());
    }

    @Test
    void olderTimestampIsRefused() throws Exception {
        byte[] older = alice.createInitiation(aliceToBob, 1);
        clocks.advance(Duration.ofSeconds(2));
        byte[] newer = alice.createInitiation(aliceToBob, 2);
        bob.consumeInitiation(newer, this::bobsPeers);
        clocks.advance(Duration.ofSeconds(1));
        assertEquals(Reason.STALE_TIMESTAMP,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(older, this::bobsPeers)).reason());
        // The refusal changed nothing: bob can still answer the newer one.
        assertEquals(WireGuard.MESSAGE_RESPONSE_SIZE, bob.createResponse(bobToAlice, 3).length);
    }

    @Test
    void secondInitiationWithin20msIsRefusedThenAllowed() throws Exception {
        bob.consumeInitiation(alice.createInitiation(aliceToBob, 1), this::bobsPeers);
        // A newer wall-clock stamp, but only 10 ms of real (monotonic) time.
        clocks.setWall(clocks.instant().plusSeconds(1));
        clocks.advanceMonotonicOnly(Duration.ofMillis(10));
        byte[] second = alice.createInitiation(aliceToBob, 2);
        assertEquals(Reason.FLOOD,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(second, this::bobsPeers)).reason());
        clocks.advanceMonotonicOnly(Duration.ofMillis(15));
        assertSame(bobToAlice, bob.consumeInitiation(second, this::bobsPeers));
    }

    @Test
    void responseWithValidMac1ButBadAeadLeavesThePendingHandshakeUsable() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 7);
        bob.consumeInitiation(init, this::bobsPeers);
        byte[] resp = bob.createResponse(bobToAlice, 8);
        byte[] forged = resp.clone();
        forged[Messages.RESPONSE_EMPTY] ^= 1;
        new CookieGenerator(alice.identity().publicKey(), clocks).addMacs(forged); // a valid mac1 again
        assertTrue(aliceChecker.checkMac1(forged));
        assertEquals(Reason.DECRYPT_FAILED,
                assertThrows(HandshakeException.class, () -> alice.consumeResponse(forged, this::alicePending)).reason());
        // A forged ephemeral (valid mac1) fails too, and still changes nothing.
        byte[] forgedEphemeral = resp.clone();
        System.arraycopy(X25519.publicKey(X25519.generatePrivateKey()), 0, forgedEphemeral, Messages.RESPONSE_EPHEMERAL, 32);
        new CookieGenerator(alice.identity().publicKey(), clocks).addMacs(forgedEphemeral);
        assertThrows(HandshakeException.class, () -> alice.consumeResponse(forgedEphemeral, this::alicePending));
        assertTrue(aliceToBob.isInitiationPending());
        alice.consumeResponse(resp, this::alicePending);
        assertArrayEquals(alice.beginSession(aliceToBob).sendKey(), bob.beginSession(bobToAlice).receiveKey());
    }

    @Test
    void lowOrderEphemeralIsRefused() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 1);
        Arrays.fill(init, Messages.INITIATION_EPHEMERAL, Messages.INITIATION_EPHEMERAL + 32, (byte) 0);
        assertEquals(Reason.LOW_ORDER_KEY,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(init, this::bobsPeers)).reason());
    }

    @Test
    void unknownPeerAndMalformedAreNamed() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 1);
        assertEquals(Reason.UNKNOWN_PEER,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(init, k -> null)).reason());
        assertEquals(Reason.MALFORMED, assertThrows(HandshakeException.class,
                () -> bob.consumeInitiation(Arrays.copyOf(init, 147), this::bobsPeers)).reason());
        byte[] reserved = init.clone();
        reserved[1] = 1;
        assertEquals(Reason.MALFORMED,
                assertThrows(HandshakeException.class, () -> bob.consumeInitiation(reserved, this::bobsPeers)).reason());
        assertEquals(Reason.MALFORMED, assertThrows(HandshakeException.class,
                () -> alice.consumeResponse(new byte[92], i -> aliceToBob)).reason());
        byte[] response = new byte[92];
        Messages.writeInt(response, Messages.TYPE, WireGuard.MESSAGE_RESPONSE_TYPE);
        assertEquals(Reason.UNKNOWN_INDEX, assertThrows(HandshakeException.class,
                () -> alice.consumeResponse(response, i -> null)).reason());
    }

    @Test
    void underLoadMac2IsRequiredAndTheCookieBindsTheSource() throws Exception {
        HandshakeGate gate = new HandshakeGate(bobChecker, new HandshakeRateLimiter(1000, clocks));
        InetSocketAddress from = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51820);
        InetSocketAddress otherPort = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51821);
        InetSocketAddress otherHost = new InetSocketAddress(InetAddress.getByName("192.0.2.8"), 51820);

        byte[] init = alice.createInitiation(aliceToBob, 1);
        assertEquals(HandshakeGate.Verdict.ACCEPT, gate.admit(init, from, false));
        assertEquals(HandshakeGate.Verdict.SEND_COOKIE, gate.admit(init, from, true));
        byte[] reply = gate.cookieReply(init, from);
        assertEquals(WireGuard.MESSAGE_COOKIE_REPLY_SIZE, reply.length);
        assertEquals(WireGuard.MESSAGE_COOKIE_REPLY_TYPE, Messages.classify(reply, reply.length));
        assertEquals(1, Messages.readInt(reply, Messages.COOKIE_RECEIVER));
        assertTrue(aliceToBob.cookies().consumeReply(reply));
        assertFalse(aliceToBob.cookies().consumeReply(reply), "a reply answers one message only");

        clocks.advance(Duration.ofSeconds(1));
        byte[] withCookie = alice.createInitiation(aliceToBob, 2);
        assertFalse(Arrays.equals(new byte[16], Arrays.copyOfRange(withCookie, Messages.INITIATION_MAC2, 148)));
        assertEquals(HandshakeGate.Verdict.ACCEPT, gate.admit(withCookie, from, true));
        assertEquals(HandshakeGate.Verdict.SEND_COOKIE, gate.admit(withCookie, otherPort, true));
        assertEquals(HandshakeGate.Verdict.SEND_COOKIE, gate.admit(withCookie, otherHost, true));

        byte[] badMac1 = withCookie.clone();
        badMac1[Messages.INITIATION_MAC1] ^= 1;
        assertEquals(HandshakeGate.Verdict.BAD_MAC1, gate.admit(badMac1, from, false));

        // Cookies expire with the secret (and the initiator stops using them) after two minutes.
        clocks.advance(WireGuard.COOKIE_REFRESH_TIME);
        assertFalse(aliceToBob.cookies().hasCookie());
        assertEquals(HandshakeGate.Verdict.SEND_COOKIE, gate.admit(withCookie, from, true));
    }

    @Test
    void cookieReplyForAnotherMessageOrKeyIsRefused() throws Exception {
        byte[] first = alice.createInitiation(aliceToBob, 1);
        InetSocketAddress from = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 4000);
        byte[] reply = bobChecker.createReply(first, 1, from);
        clocks.advance(Duration.ofSeconds(1));
        alice.createInitiation(aliceToBob, 2); // mac1 changes: the old reply no longer matches
        assertFalse(aliceToBob.cookies().consumeReply(reply));
        byte[] fromStranger = new CookieChecker(new StaticIdentity(X25519.generatePrivateKey()), clocks)
                .createReply(first, 1, from);
        assertFalse(aliceToBob.cookies().consumeReply(fromStranger));
        assertFalse(aliceToBob.cookies().consumeReply(Arrays.copyOf(reply, 63)));
    }

    /** ZERO_KEY_MATERIAL on a pending initiation: the secrets are overwritten in place, the answer is refused. */
    @Test
    void zeroKeyMaterialWipesThePendingInitiationInPlace() throws Exception {
        byte[] init = alice.createInitiation(aliceToBob, 0x33333333);
        bob.consumeInitiation(init, this::bobsPeers);
        byte[] resp = bob.createResponse(bobToAlice, 0x44444444);
        byte[] ephemeral = aliceToBob.localEphemeral;
        byte[] chainKey = aliceToBob.chainKey;
        byte[] hash = aliceToBob.hash;
        assertFalse(Arrays.equals(new byte[32], ephemeral));

        aliceToBob.zeroKeyMaterial();
        assertArrayEquals(new byte[32], ephemeral, "ephemeral private key overwritten, not just dropped");
        assertArrayEquals(new byte[32], chainKey, "chaining key overwritten");
        assertArrayEquals(new byte[32], hash, "hash overwritten");
        assertTrue(aliceToBob.isZeroed());
        assertEquals(0, aliceToBob.pendingLocalIndex());
        HandshakeException e = assertThrows(HandshakeException.class, () -> alice.consumeResponse(resp, i -> aliceToBob));
        assertEquals(Reason.UNEXPECTED_STATE, e.reason());
        assertThrows(HandshakeException.class, () -> alice.beginSession(aliceToBob));
    }
}
