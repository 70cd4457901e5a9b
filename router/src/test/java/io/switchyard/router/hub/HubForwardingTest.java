package io.switchyard.router.hub;

import io.switchyard.zerocopy.PacketBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import io.switchyard.wireguard.crypto.X25519;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An in-process hub on loopback with peers built from our own engine over real UDP sockets:
 * forwarding both ways, every drop reason a client can provoke, apply() while running, and the
 * accounting identity received = forwarded + consumed + dropped.
 */
@Timeout(60)
class HubForwardingTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};
    private static final byte[] C = {10, 0, 0, 3};
    private static final byte[] NOWHERE = {10, 9, 9, 9};

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private final List<TestPeer> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = HubCore.start(new Config("t", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()));
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        for (TestPeer p : clients) {
            p.close();
        }
    }

    private InetSocketAddress hubAddress() {
        return new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
    }

    private TestPeer client(byte[] address) throws Exception {
        TestPeer p = new TestPeer(hubPublic, hubAddress(), address);
        clients.add(p);
        return p;
    }

    private static long drops(HubStats s, DropReason r) {
        return s.drops().get(r);
    }

    @Test
    void forwardsBetweenTwoPeersBothWays() throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);
        byte[] ab = TestPeer.ipv4(A, B, "hello b".getBytes());
        a.send(ab);
        assertArrayEquals(ab, b.receiveData());
        byte[] ba = TestPeer.ipv4(B, A, "hello a, a longer reply".getBytes());
        b.send(ba);
        assertArrayEquals(ba, a.receiveData());
        for (int i = 0; i < 50; i++) {
            a.send(TestPeer.ipv4(A, B, ("burst " + i).getBytes()));
        }
        for (int i = 0; i < 50; i++) {
            assertArrayEquals(TestPeer.ipv4(A, B, ("burst " + i).getBytes()), b.receiveData());
        }
        HubStats s = await(st -> st.counters().get("forwarded") == 52);
        assertEquals(2, s.handshakesCompleted());
        assertEquals(0, s.dropped(), "no drops: " + s.drops());
        assertBalanced(s);
        assertEquals(2, s.peers().size());
        assertEquals(a.channel.getLocalAddress(), s.peers().get(0).endpoint().orElseThrow());
        assertTrue(s.peers().get(0).lastHandshake().isPresent());
    }

    @Test
    void dropsAreCountedByReason() throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);

        a.send(TestPeer.ipv4(C, B, "spoofed".getBytes()));           // inner source not A's
        a.send(TestPeer.ipv4(A, NOWHERE, "no route".getBytes()));    // nobody owns 10.9.9.9
        a.send(TestPeer.ipv4(A, A, "to myself".getBytes()));         // reflected
        byte[] wire = a.send(TestPeer.ipv4(A, B, "once".getBytes()));
        assertArrayEquals(TestPeer.ipv4(A, B, "once".getBytes()), b.receiveData());
        a.sendRaw(wire);                                             // replayed
        byte[] forged = a.send(TestPeer.ipv4(A, B, "x".getBytes()));
        b.receiveData();
        forged[20] ^= 1;
        forged[8] ^= 0x40;                                           // new counter, tag now wrong
        a.sendRaw(forged);
        byte[] unknown = wire.clone();
        unknown[4] ^= 0x5a;                                          // receiver index of nobody
        a.sendRaw(unknown);
        a.sendRaw(new byte[] {4, 0, 0});                             // short
        a.sendRaw(new byte[] {9, 0, 0, 0, 1, 2, 3, 4});              // unknown type
        byte[] badMac = new byte[148];
        badMac[0] = 1;
        a.sendRaw(badMac);                                           // initiation with a wrong mac1

        HubStats s = await(st -> st.dropped() == 9);
        assertEquals(1, drops(s, DropReason.SPOOFED_SOURCE));
        assertEquals(1, drops(s, DropReason.NO_ROUTE));
        assertEquals(1, drops(s, DropReason.REFLECTED));
        assertEquals(1, drops(s, DropReason.REPLAYED));
        assertEquals(1, drops(s, DropReason.BAD_TAG));
        assertEquals(1, drops(s, DropReason.UNKNOWN_INDEX));
        assertEquals(2, drops(s, DropReason.MALFORMED));
        assertEquals(1, drops(s, DropReason.BAD_MAC));
        assertEquals(5, s.peers().get(0).drops().values().stream().mapToLong(Long::longValue).sum(),
                "the sender's own drops: spoofed, no route, reflected, replay, bad tag");
        assertBalanced(s);
        assertFalse(b.receivesWithin(100), "nothing dropped reached b");
    }

    @Test
    void applyAddsRemovesAndReroutesWhileRunning() throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a);
        handshake(a);
        a.send(TestPeer.ipv4(A, B, "before b exists".getBytes()));
        await(st -> drops(st, DropReason.NO_ROUTE) == 1);

        configure(a, b);
        handshake(b);
        a.send(TestPeer.ipv4(A, B, "b exists".getBytes()));
        assertArrayEquals(TestPeer.ipv4(A, B, "b exists".getBytes()), b.receiveData());

        // Move 10.0.0.3 to b: a packet for it now reaches b at once.
        Config c = hub.config();
        PeerConfig bWithC = new PeerConfig(b.publicKey(), java.util.Optional.empty(), java.util.Optional.empty(),
                List.of(IpPrefix.of(B, 32), IpPrefix.of(C, 32)), java.util.Optional.empty(), 0);
        hub.apply(new Config(c.name(), c.iface(), c.settings(), List.of(a.config(), bWithC)));
        a.send(TestPeer.ipv4(A, C, "to c via b".getBytes()));
        assertArrayEquals(TestPeer.ipv4(A, C, "to c via b".getBytes()), b.receiveData());
        assertEquals(2, hub.stats().handshakesCompleted(), "a and b kept their sessions across apply");

        // Remove b: its traffic is refused (its index is gone) and routes to it vanish.
        configure(a);
        byte[] fromRemoved = TestPeer.ipv4(B, A, "i was removed".getBytes());
        b.send(fromRemoved);
        HubStats s = await(st -> drops(st, DropReason.UNKNOWN_INDEX) == 1);
        assertFalse(a.receivesWithin(100));
        assertEquals(1, s.peers().size());
        assertBalanced(s);
    }

    /**
     * Backpressure: with the buffer pool nearly empty (the peers' actors hold the buffers) the
     * receiver waits instead of reading datagrams only to drop them; once buffers come back the
     * queued datagrams are read and forwarded, none lost.
     */
    @Test
    void aReceiverWaitsForBuffersInsteadOfDroppingWhatItReads() throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);
        List<io.switchyard.zerocopy.PacketBuffer> held = new ArrayList<>();
        io.switchyard.zerocopy.PacketBuffer p;
        while (hub.buffers().approximateFree() > 10 && (p = hub.buffers().small.acquire()) != null) {
            held.add(p);
        }
        for (int i = 0; i < 20; i++) {
            a.send(TestPeer.ipv4(A, B, ("held back " + i).getBytes()));
        }
        await(st -> st.counters().get("receive.waits") > 20);
        HubStats s = hub.stats();
        assertEquals(0, s.drops().get(DropReason.NO_BUFFER), "nothing read only to be dropped: " + s);
        for (io.switchyard.zerocopy.PacketBuffer h : held) {
            h.release();
        }
        for (int i = 0; i < 20; i++) {
            assertArrayEquals(TestPeer.ipv4(A, B, ("held back " + i).getBytes()), b.receiveData());
        }
        s = await(st -> st.counters().get("forwarded") == 20);
        assertEquals(0, s.dropped(), s.drops().toString());
        assertBalanced(s);
    }

    @Test
    void publicApiStartsAndStops() throws Exception {
        try (Hub h = Hub.start(new Config("api", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()))) {
            assertTrue(h.localAddress().getPort() > 0, "ListenPort 0 binds a free port");
            assertEquals("api", h.config().name());
            assertEquals(0, h.stats().rxPackets());
            assertEquals(DropReason.values().length, h.stats().drops().size());
        }
    }

    @Test
    void refusesChangesThatNeedARestart() {
        Config c = hub.config();
        Key32 other = Key32.of(X25519.generatePrivateKey());
        var e = assertThrows(IllegalArgumentException.class,
                () -> hub.apply(new Config(c.name(), InterfaceConfig.of(other), c.settings(), c.peers())));
        assertTrue(e.getMessage().contains("PrivateKey"), e.getMessage());
        assertEquals(c, hub.config(), "the running configuration is untouched");
    }

    @Test
    void underLoadHandshakesGetCookieRepliesAndThenSucceed() throws Exception {
        TestPeer a = client(A);
        configure(a);
        hub.setForceUnderLoad(true);
        long now = System.nanoTime();
        a.channel.send(java.nio.ByteBuffer.wrap(a.engine.createInitiation(now)), hubAddress());
        java.nio.ByteBuffer reply = a.receiveRaw();
        byte[] msg = new byte[reply.remaining()];
        reply.get(msg);
        assertEquals(64, msg.length, "a cookie reply");
        assertTrue(a.device.handleCookieReply(msg) != null);
        handshake(a); // now with mac2 from the cookie
        HubStats s = hub.stats();
        assertEquals(1, s.cookieRepliesSent());
        assertEquals(1, drops(s, DropReason.COOKIE_REQUIRED));
        assertEquals(1, s.handshakesCompleted());
    }
}
