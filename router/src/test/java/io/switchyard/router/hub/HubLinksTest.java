package io.switchyard.router.hub;

import io.switchyard.router.HubEvent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.config.Setting;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubStats;
import io.switchyard.wireguard.crypto.X25519;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connected per-peer sockets ({@link PeerLink}) and several listen sockets on real loopback
 * sockets: a peer's traffic moves to its own socket once its endpoint is authenticated, follows
 * the peer when it roams, falls back to the listen socket where links are off, and nothing is
 * lost when a link closes with datagrams queued on it. Zerocopy trains through a link complete
 * (copied, on loopback) and every buffer comes back to the pool.
 */
@Timeout(60)
class HubLinksTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private final List<TestPeer> clients = new ArrayList<>();

    /** Connected sockets are off by default (docs/perf-e2e.md says why): these tests turn them on. */
    private static final RouterSettings LINKS = RouterSettings.defaults().with(Setting.CONNECTED_SOCKETS, "on");

    private void start(RouterSettings settings) throws Exception {
        hub = HubCore.start(new Config("links", InterfaceConfig.of(hubKey), settings, List.of()));
    }

    @AfterEach
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        for (TestPeer p : clients) {
            p.close();
        }
    }

    private TestPeer client(byte[] address) throws Exception {
        TestPeer p = new TestPeer(hubPublic,
                new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()), address);
        clients.add(p);
        return p;
    }

    /**
     * Peers a (10.0.0.1) and b (10.0.0.2), configured and handshaken, {@code n} packets each way
     * (the first flush towards each opens its link), and both links open.
     */
    private TestPeer[] linkedPair(String there, String back, int n) throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);
        exchange(a, b, A, B, there, n);
        exchange(b, a, B, A, back, n);
        await(st -> named(st, "links.open") == 2);
        return new TestPeer[] {a, b};
    }

    /** Sends {@code n} numbered packets a to b and checks each arrives, in order. */
    private static void exchange(TestPeer from, TestPeer to, byte[] src, byte[] dst, String tag, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            from.send(TestPeer.ipv4(src, dst, (tag + i).getBytes()));
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(TestPeer.ipv4(src, dst, (tag + i).getBytes()), to.receiveData(), tag + i);
        }
    }

    @Test
    void authenticatedPeersGetTheirOwnSocketsAndTrafficMovesThere() throws Exception {
        start(LINKS.with(Setting.ROUTER_THREADS, "2"));
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);
        exchange(a, b, A, B, "ab", 5); // the first flush towards each peer opens its link
        exchange(b, a, B, A, "ba", 5);
        HubStats s = await(st -> named(st, "links.open") == 2);
        assertEquals(2, named(s, "listen.sockets"));
        long viaLinks = named(s, "links.rx_packets");
        exchange(a, b, A, B, "more", 20);
        s = await(st -> named(st, "forwarded") == 30);
        assertEquals(viaLinks + 20, named(s, "links.rx_packets"),
                "once connected, a's datagrams arrive on a's own socket: " + s);
        assertEquals(0, named(s, "links.open_failed"));
        assertBalanced(s);
    }

    @Test
    void aRoamingPeerIsFollowedAndItsOldSocketClosed() throws Exception {
        start(LINKS);
        java.util.concurrent.LinkedBlockingQueue<io.switchyard.router.HubEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        hub.subscribe(events::add);
        TestPeer[] ab = linkedPair("before", "reply", 3);
        TestPeer a = ab[0];
        TestPeer b = ab[1];

        a.moveToNewPort(); // the old 4-tuple is gone; the hub hears a from a new port
        exchange(a, b, A, B, "moved", 3); // arrives on the listen socket, authenticates, roams
        exchange(b, a, B, A, "follows", 3); // reaches a at its new port
        HubStats s = await(st -> st.peers().stream().anyMatch(p -> p.endpoint().isPresent()
                && p.endpoint().get().getPort() == portOf(a)));
        // After the reopen hold-off a's traffic gets a new link to the new port.
        Thread.sleep(1100);
        exchange(b, a, B, A, "later", 3);
        s = await(st -> named(st, "links.opened") >= 3 && named(st, "links.open") == 2);
        assertEquals(15, named(s, "forwarded"), "nothing lost across the roam: " + s);
        int fresh = portOf(a);
        assertTrue(events.stream().anyMatch(e -> e instanceof io.switchyard.router.HubEvent.EndpointChanged c
                && c.peer().equals(a.publicKey()) && c.to().getPort() == fresh), "subscribers saw a roam: " + events);
        assertBalanced(s);
    }

    @Test
    void anOlderPacketFromTheOldAddressDoesNotMoveThePeerBack() throws Exception {
        start(LINKS);
        TestPeer[] ab = linkedPair("warm", "warm", 2);
        TestPeer a = ab[0];
        TestPeer b = ab[1];

        byte[] older = a.seal(TestPeer.ipv4(A, B, "older".getBytes()));
        byte[] newer = a.seal(TestPeer.ipv4(A, B, "newer".getBytes()));
        try (java.nio.channels.DatagramChannel old = a.moveToNewPortKeepingOld()) {
            a.sendRaw(newer); // from the new port first
            int fresh = portOf(a);
            await(st -> st.peers().stream().anyMatch(p -> p.endpoint().map(e -> e.getPort() == fresh).orElse(false)));
            // Traffic to a after the reopen hold-off opens the link to the new port, a second
            // after the old one was closed.
            Thread.sleep(1100);
            exchange(b, a, B, A, "opens the new link", 1);
            await(st -> named(st, "links.opened") >= 3);
            // The older packet arrives late from the old port (it authenticates: inside the window).
            old.send(java.nio.ByteBuffer.wrap(older), new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()));
            HubStats s = await(st -> named(st, "forwarded") == 7);
            assertTrue(s.peers().stream().anyMatch(p -> p.endpoint().map(e -> e.getPort() == fresh).orElse(false)),
                    "a stays at its new port: " + s.peers());
            exchange(b, a, B, A, "reaches the new port", 2);
        }
    }

    @Test
    void fwMarkIsSetOnTheListenAndConnectedSocketsOrRefusedNamingSoMark() throws Exception {
        long mark = 0x5157;
        Config nio = new Config("mark", new InterfaceConfig(hubKey, java.util.Optional.empty(), 0, mark, List.of()),
                RouterSettings.defaults().with(Setting.TRANSPORT, "nio"), List.of());
        var refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> HubCore.start(nio));
        assertTrue(refused.getMessage().contains("SO_MARK"), refused.getMessage());

        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status")).matches("(?s).*\nUid:\\s+\\d+\\s+0\\s.*"),
                "setting SO_MARK needs CAP_NET_ADMIN: run as root");
        hub = HubCore.start(new Config("mark", new InterfaceConfig(hubKey, java.util.Optional.empty(), 0, mark, List.of()),
                LINKS.with(Setting.ROUTER_THREADS, "2"), List.of()));
        TestPeer[] ab = linkedPair("marked", "marked", 2);
        TestPeer a = ab[0];
        TestPeer b = ab[1];
        Process ss = new ProcessBuilder("ss", "-u", "-a", "-n", "-e", "sport = :" + hub.localAddress().getPort())
                .redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        ss.waitFor();
        List<String> sockets = out.lines().skip(1).toList();
        assertEquals(4, sockets.size(), "two listen sockets and two connected ones: " + out);
        for (String line : sockets) {
            assertTrue(line.contains("fwmark:0x5157"), "every hub socket carries the mark: " + line);
        }
    }

    private static int portOf(TestPeer p) {
        try {
            return p.localAddress().getPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withConnectedSocketsOffEverythingGoesThroughTheListenSocket() throws Exception {
        start(RouterSettings.defaults().with(Setting.ROUTER_THREADS, "1")); // the default: no connected sockets
        TestPeer a = client(A);
        TestPeer b = client(B);
        configure(a, b);
        handshake(a);
        handshake(b);
        exchange(a, b, A, B, "x", 10);
        exchange(b, a, B, A, "y", 10);
        HubStats s = await(st -> named(st, "forwarded") == 20);
        assertEquals(0, named(s, "links.open"));
        assertEquals(0, named(s, "links.opened"));
        assertEquals(0, named(s, "links.rx_packets"));
        assertEquals(1, named(s, "listen.sockets"));
        assertBalanced(s);
    }

    @Test
    void datagramsQueuedOnAClosingLinkAreTakenAndCounted() throws Exception {
        start(LINKS);
        TestPeer[] ab = linkedPair("warm", "warm", 2);
        TestPeer a = ab[0];
        TestPeer b = ab[1];

        // Hold b's datagrams in its connected socket's queue, then remove b: the link closes with
        // them queued, and they must be read first and refused by index, not lost with the socket.
        hub.pauseLinkReceiversForTests(true);
        for (int i = 0; i < 50; i++) {
            b.send(TestPeer.ipv4(B, A, ("late" + i).getBytes()));
        }
        Thread.sleep(50);
        configure(a);
        await(st -> named(st, "links.open") == 1); // b's link closed while its receiver was paused
        hub.pauseLinkReceiversForTests(false);
        HubStats s = await(st -> st.drops().get(DropReason.UNKNOWN_INDEX) == 50);
        assertBalanced(s);
    }

    @Test
    void zerocopyTrainsThroughALinkCompleteAndReturnEveryBuffer() throws Exception {
        start(LINKS.with(Setting.ZERO_COPY_THRESHOLD, "2048"));
        TestPeer[] ab = linkedPair("open", "open", 2);
        TestPeer a = ab[0];
        TestPeer b = ab[1];

        byte[] big = new byte[1200];
        int rounds = 40;
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < 8; i++) { // bursts so that b's actor flushes trains of several segments
                big[0] = (byte) r;
                big[1] = (byte) i;
                a.send(TestPeer.ipv4(A, B, big));
            }
            for (int i = 0; i < 8; i++) {
                b.receiveData();
            }
        }
        HubStats s = await(st -> named(st, "forwarded") == 4 + rounds * 8L
                && named(st, "zerocopy.completions") > 0 && named(st, "pool.in_use") == 0);
        assertTrue(named(s, "zerocopy.zerocopy_sends") > 0, "large trains went zerocopy: " + s);
        assertTrue(named(s, "zerocopy.completed_copied") > 0, "loopback completes them copied: " + s);
        assertEquals(0, named(s, "zerocopy.send_failed"));
        assertBalanced(s);
    }
}
