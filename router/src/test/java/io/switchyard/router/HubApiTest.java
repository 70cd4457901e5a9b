package io.switchyard.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigException;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.client.WireGuardClient;
import io.switchyard.wireguard.Keys;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embeddable API as a program uses it, on loopback with client-mode peers: peers added,
 * updated and removed at runtime, per-peer state, and the events a subscriber sees for each of
 * those, for handshakes and for drops; a hub started from a file, and a broken file refused with
 * its line.
 */
@Timeout(60)
class HubApiTest {
    private static final byte[] A = {10, 6, 0, 1};
    private static final byte[] B = {10, 6, 0, 2};

    private static Key32 newKey() {
        return Key32.of(Keys.generatePrivateKey());
    }

    private static Key32 pub(Key32 k) {
        return Key32.of(Keys.publicKey(k.toBytes()));
    }

    /** Takes events until one matches (hang guard 10 s); returns it. */
    private static <T extends HubEvent> T next(LinkedBlockingQueue<HubEvent> q, Class<T> type, Predicate<T> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            HubEvent e = q.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within 10 s");
            }
            if (type.isInstance(e) && match.test(type.cast(e))) {
                return type.cast(e);
            }
        }
    }

    @Test
    void peersChangeAtRuntimeAndSubscribersSeeIt() throws Exception {
        Key32 hubKey = newKey();
        Key32 a = newKey();
        Key32 b = newKey();
        LinkedBlockingQueue<HubEvent> events = new LinkedBlockingQueue<>();
        try (Hub hub = Hub.start(new Config("api", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()));
                AutoCloseable sub = hub.subscribe(events::add)) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
            hub.addPeer(PeerConfig.of(pub(a), List.of(IpPrefix.of(A, 32))));
            assertThrows(IllegalArgumentException.class, () -> hub.addPeer(PeerConfig.of(pub(a), List.of())));
            next(events, HubEvent.PeerAdded.class, e -> e.peer().equals(pub(a)));
            assertTrue(hub.peer(pub(a)).isPresent());
            assertTrue(hub.peer(pub(b)).isEmpty());

            try (WireGuardClient ca = WireGuardClient.open(a, pub(hubKey), at, A)) {
                ca.handshake(Duration.ofSeconds(10));
                HubEvent.HandshakeCompleted h = next(events, HubEvent.HandshakeCompleted.class, e -> e.peer().equals(pub(a)));
                assertEquals(ca.localAddress().getPort(), h.endpoint().getPort());
                next(events, HubEvent.PeerUp.class, e -> e.peer().equals(pub(a)));

                // Drops arrive as a per-second summary for the peer that caused them.
                for (int i = 0; i < 3; i++) {
                    assertTrue(ca.send(B, 1, 1, new byte[] {1})); // b does not exist yet: no route
                }
                HubEvent.Drops d = next(events, HubEvent.Drops.class, e -> e.peer().isPresent());
                assertEquals(pub(a), d.peer().get());
                assertEquals(3L, d.counts().get(DropReason.NO_ROUTE));

                // Update: a's AllowedIPs now also hold B's address: a packet for it is reflected
                // (to a itself), counted as such instead of as no route.
                hub.updatePeer(PeerConfig.of(pub(a), List.of(IpPrefix.of(A, 32), IpPrefix.of(B, 32))));
                assertThrows(IllegalArgumentException.class, () -> hub.updatePeer(PeerConfig.of(pub(b), List.of())));
                assertTrue(ca.send(B, 1, 1, new byte[] {2}));
                d = next(events, HubEvent.Drops.class, e -> e.peer().isPresent() && e.counts().containsKey(DropReason.REFLECTED));
                assertEquals(1L, d.counts().get(DropReason.REFLECTED));
                assertEquals(2, hub.peer(pub(a)).orElseThrow().allowedIps().size());
                assertEquals(1, hub.stats().handshakesCompleted(), "the update kept a's session");

                assertTrue(hub.removePeer(pub(a)));
                assertFalse(hub.removePeer(pub(a)));
                next(events, HubEvent.PeerDown.class, e -> e.peer().equals(pub(a)) && e.cause() == HubEvent.PeerDown.Cause.REMOVED);
                next(events, HubEvent.PeerRemoved.class, e -> e.peer().equals(pub(a)));
                assertTrue(hub.peer(pub(a)).isEmpty());
            }
            assertEquals(0, hub.stats().counters().get("events.dropped"));
        }
    }

    @Test
    void aHubStartsFromAFileAndABrokenFileNamesItsLine(@TempDir Path dir) throws Exception {
        Key32 hubKey = newKey();
        Path good = dir.resolve("hub.conf");
        Files.writeString(good, "[Interface]\nPrivateKey = " + hubKey.toBase64() + "\nListenPort = 0\nAddress = 10.6.0.254/24\n\n"
                + "[Peer]\nPublicKey = " + pub(newKey()).toBase64() + "\nAllowedIPs = 10.6.0.1/32\n");
        try (Hub hub = Hub.start(good)) {
            assertEquals(1, hub.config().peers().size());
            assertEquals(1, hub.stats().counters().get("local.addresses"));
        }
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "[Interface]\nPrivateKey = " + hubKey.toBase64() + "\nListenPort = seventy\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Hub.start(bad));
        assertTrue(e.getMessage().contains("bad.conf:3:"), e.getMessage());
    }
}
