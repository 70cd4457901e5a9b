package io.switchyard.bench.flood;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Key32;
import io.switchyard.wireguard.Keys;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.noise.CookieChecker;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.noise.Noise;
import io.switchyard.wireguard.noise.StaticIdentity;
import io.switchyard.wireguard.peer.Device;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The flooder's datagrams, checked by the project's own receiving code: no sockets, no root. */
class FloodPacketsTest {
    private final SplittableRandom random = new SplittableRandom(17);

    @Test
    void initiationsCarryAValidMac1ForTheHubAndPassItsGateButNameAPeerItDoesNotKnow() throws Exception {
        byte[] hubPrivate = Keys.generatePrivateKey();
        byte[] hubPublic = Keys.publicKey(hubPrivate);
        List<byte[]> msgs = FloodPackets.initiations(200, hubPublic, random);
        assertEquals(200, msgs.size());

        CookieChecker checker = new CookieChecker(new StaticIdentity(hubPrivate), System::nanoTime);
        Device hub = new Device(Key32.of(hubPrivate));
        Noise noise = new Noise(new StaticIdentity(hubPrivate), Environment.system());
        Set<Integer> senders = new HashSet<>();
        for (byte[] m : msgs) {
            assertEquals(WireGuard.MESSAGE_INITIATION_SIZE, m.length);
            assertEquals(WireGuard.MESSAGE_INITIATION_TYPE, Messages.classify(m, m.length));
            assertTrue(checker.checkMac1(m), "mac1 verifies for the hub's key");
            assertArrayEquals(new byte[WireGuard.MAC_SIZE], java.util.Arrays.copyOfRange(m, Messages.INITIATION_MAC2, m.length),
                    "no cookie: mac2 is zeros");
            senders.add(Messages.readInt(m, Messages.INITIATION_SENDER));
        }
        assertTrue(senders.size() > 190, "sender indexes are random: " + senders.size());
        // not under load: the gate admits each (distinct sources keep the per-source limit out of it)
        for (int i = 0; i < 5; i++) {
            assertEquals(HandshakeGate.Verdict.ACCEPT,
                    hub.admit(msgs.get(i), new InetSocketAddress("10.213.0." + (10 + i), 40000), false));
        }
        // a real initiation under the changed index: it decrypts to a static key the hub has no peer for
        HandshakeException e = assertThrows(HandshakeException.class, () -> noise.consumeInitiation(msgs.get(0), key -> null));
        assertEquals(HandshakeException.Reason.UNKNOWN_PEER, e.reason());
        // and for another key the mac1 is wrong
        CookieChecker other = new CookieChecker(new StaticIdentity(Keys.generatePrivateKey()), System::nanoTime);
        assertFalse(other.checkMac1(msgs.get(0)));
    }

    @Test
    void garbageCyclesThroughTheBoundarySizesAndEveryOtherPassHasAValidTypeWord() {
        int n = FloodPackets.GARBAGE_SIZES.length;
        List<byte[]> g = FloodPackets.garbage(4 * n, random);
        assertEquals(List.of(0, 1, 3, 4, 31, 32, 63, 64, 91, 92, 147, 148, 149, 1500),
                java.util.Arrays.stream(FloodPackets.GARBAGE_SIZES).boxed().toList());
        for (int i = 0; i < g.size(); i++) {
            assertEquals(FloodPackets.GARBAGE_SIZES[i % n], g.get(i).length, "datagram " + i);
        }
        // the second pass: a type word 1..4 on every datagram of 4 bytes and more, so a 148-byte
        // "initiation" or a 32-byte "transport message" is classified by its size
        for (int i = n; i < 2 * n; i++) {
            byte[] p = g.get(i);
            if (p.length >= 4) {
                int type = Messages.readInt(p, 0);
                assertTrue(type >= 1 && type <= 4, "datagram " + i + ": type word " + type);
            }
        }
        assertEquals(WireGuard.MESSAGE_INITIATION_TYPE, classifyGarbage(g, n, 148, WireGuard.MESSAGE_INITIATION_TYPE));
        assertEquals(0, classifyGarbage(g, n, 147, WireGuard.MESSAGE_INITIATION_TYPE));
    }

    /** Classifies the second pass's datagram of {@code size} bytes after giving it type word {@code type}. */
    private static int classifyGarbage(List<byte[]> g, int n, int size, int type) {
        for (int i = n; i < 2 * n; i++) {
            if (g.get(i).length == size) {
                byte[] p = g.get(i).clone();
                Messages.writeInt(p, 0, type);
                return Messages.classify(p, p.length);
            }
        }
        throw new AssertionError("no datagram of " + size + " bytes");
    }

    @Test
    void transportMessagesGoToTheLiveIndexOrToRandomOnesAndCookieRepliesAre64Bytes() {
        int live = 0x12345678;
        for (byte[] p : FloodPackets.transport(50, live, random)) {
            assertEquals(WireGuard.MESSAGE_TRANSPORT_TYPE, Messages.classify(p, p.length));
            assertEquals(live, Messages.readInt(p, Messages.TRANSPORT_RECEIVER));
            assertTrue(p.length >= WireGuard.MESSAGE_TRANSPORT_MIN_SIZE && p.length <= 1452, "length " + p.length);
        }
        Set<Integer> indexes = new HashSet<>();
        for (byte[] p : FloodPackets.transport(50, null, random)) {
            indexes.add(Messages.readInt(p, Messages.TRANSPORT_RECEIVER));
        }
        assertTrue(indexes.size() > 45, "random receivers: " + indexes.size());
        for (byte[] p : FloodPackets.cookieReplies(20, random)) {
            assertEquals(WireGuard.MESSAGE_COOKIE_REPLY_TYPE, Messages.classify(p, p.length));
        }
    }

    @Test
    void aPoolHoldsEachDatagramInItsOwnSlot() {
        List<byte[]> g = FloodPackets.garbage(FloodPackets.GARBAGE_SIZES.length, random);
        try (Arena arena = Arena.ofConfined()) {
            FloodPackets.Pool pool = FloodPackets.pool(g, arena);
            assertEquals(g.size(), pool.size());
            for (int i = 0; i < g.size(); i++) {
                assertEquals(g.get(i).length, pool.lengths()[i]);
                byte[] back = pool.bytes().asSlice(pool.offset(i), pool.lengths()[i]).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertArrayEquals(g.get(i), back, "datagram " + i);
            }
            assertTrue(pool.bytes().isNative(), "sendmmsg takes native memory");
        }
    }
}
