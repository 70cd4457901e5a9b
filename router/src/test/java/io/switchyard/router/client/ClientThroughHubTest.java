package io.switchyard.router.client;

import io.switchyard.config.Endpoint;
import io.switchyard.wireguard.ip.InnerUdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.wireguard.Keys;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client mode against a real in-process hub on loopback: two clients exchange UDP datagrams
 * through it (every byte intact, both directions), a datagram for an address no peer owns is a
 * counted hub drop, and the hub's data-path JFR events (receive batch, flush, handshake) are
 * recorded while it happens.
 */
@Timeout(60)
class ClientThroughHubTest {
    private static final byte[] A = {10, 5, 0, 1};
    private static final byte[] B = {10, 5, 0, 2};

    private static Key32 newKey() {
        return Key32.of(Keys.generatePrivateKey());
    }

    private static Key32 pub(Key32 k) {
        return Key32.of(Keys.publicKey(k.toBytes()));
    }

    private static void until(BooleanSupplier done, WireGuardClient... pollers) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L; // hang guard
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            for (WireGuardClient c : pollers) {
                c.poll(null);
            }
            Thread.sleep(1);
        }
    }

    /**
     * The hub initiates to a client whose endpoint it knows (configured) when it has data for it
     * and no session: the client answers like any WireGuard peer and gets the staged datagram.
     */
    @Test
    void aClientAnswersTheHubsInitiationAndGetsWhatWasStaged() throws Exception {
        Key32 hubKey = newKey();
        Key32 a = newKey();
        Key32 b = newKey();
        try (Hub hub = Hub.start(new Config("ci", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()))) {
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
            try (WireGuardClient ca = WireGuardClient.open(a, pub(hubKey), at, A);
                    WireGuardClient cb = WireGuardClient.open(b, pub(hubKey), at, B)) {
                InetSocketAddress bAt = cb.localAddress();
                hub.apply(new Config("ci", hub.config().iface(), hub.config().settings(), List.of(
                        PeerConfig.of(pub(a), List.of(IpPrefix.of(A, 32))),
                        new PeerConfig(pub(b), java.util.Optional.empty(), java.util.Optional.empty(),
                                List.of(IpPrefix.of(B, 32)),
                                java.util.Optional.of(new io.switchyard.config.Endpoint("127.0.0.1", bAt.getPort())), 0))));
                ca.handshake(Duration.ofSeconds(10));
                assertTrue(ca.send(B, 7, 8, "staged for b".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                byte[][] got = new byte[1][];
                until(() -> {
                    try {
                        cb.poll((buf, off, len, src, dst) -> {
                            got[0] = new byte[len];
                            buf.get(off, got[0]);
                        });
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                    return got[0] != null;
                }, ca);
                assertArrayEquals("staged for b".getBytes(java.nio.charset.StandardCharsets.US_ASCII), got[0]);
                assertEquals(1, cb.stats().handshakes(), "b answered the hub's initiation");
                assertEquals(0, cb.stats().dropped(), cb.stats().toString());
            }
        }
    }

    @Test
    void twoClientsExchangeDatagramsThroughTheHub(@TempDir Path dir) throws Exception {
        Key32 hubKey = newKey();
        Key32 a = newKey();
        Key32 b = newKey();
        Config config = new Config("ct", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of(
                PeerConfig.of(pub(a), List.of(IpPrefix.of(A, 32))), PeerConfig.of(pub(b), List.of(IpPrefix.of(B, 32)))));
        try (Recording rec = new Recording()) {
            rec.enable("io.switchyard.ReceiveBatch");
            rec.enable("io.switchyard.Flush");
            rec.enable("io.switchyard.Handshake");
            rec.start();
            try (Hub hub = Hub.start(config)) {
                InetSocketAddress at = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
                try (WireGuardClient ca = WireGuardClient.open(a, pub(hubKey), at, A);
                        WireGuardClient cb = WireGuardClient.open(b, pub(hubKey), at, B)) {
                    ca.handshake(Duration.ofSeconds(10));
                    cb.handshake(Duration.ofSeconds(10));
                    List<byte[]> gotByB = new ArrayList<>();
                    List<Integer> portsAtB = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        byte[] payload = ("hello " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        assertTrue(ca.send(B, 5000 + i, 7000, payload));
                    }
                    long deadline = System.nanoTime() + 10_000_000_000L;
                    while (gotByB.size() < 50) {
                        assertTrue(System.nanoTime() < deadline, "B got " + gotByB.size() + " of 50: " + hub.stats());
                        ca.poll(null);
                        cb.poll((buf, off, len, src, dst) -> {
                            byte[] p = new byte[len];
                            buf.get(off, p);
                            gotByB.add(p);
                            portsAtB.add(src);
                            assertEquals(7000, dst);
                        });
                        Thread.sleep(1);
                    }
                    for (int i = 0; i < 50; i++) {
                        assertArrayEquals(("hello " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII), gotByB.get(i),
                                "in order and intact");
                        assertEquals(5000 + i, portsAtB.get(i));
                    }
                    // and back, a full-size datagram
                    byte[] big = new byte[WireGuardClient.MAX_INNER - InnerUdp.HEADERS];
                    new java.util.Random(7).nextBytes(big);
                    assertTrue(cb.send(A, 9, 9, big));
                    byte[][] back = new byte[1][];
                    until(() -> {
                        try {
                            ca.poll((buf, off, len, src, dst) -> {
                                back[0] = new byte[len];
                                buf.get(off, back[0]);
                            });
                        } catch (java.io.IOException e) {
                            throw new AssertionError(e);
                        }
                        return back[0] != null;
                    }, cb);
                    assertArrayEquals(big, back[0]);

                    long noRoute = hub.stats().drops().get(DropReason.NO_ROUTE);
                    assertTrue(ca.send(new byte[] {10, 5, 9, 9}, 1, 1, new byte[] {1}));
                    until(() -> hub.stats().drops().get(DropReason.NO_ROUTE) == noRoute + 1, ca, cb);
                    assertEquals(51, hub.stats().counters().get("forwarded"), hub.stats().toString());
                    assertEquals(0, ca.stats().dropped() + cb.stats().dropped(), ca.stats() + " / " + cb.stats());
                }
            }
            rec.stop();
            Path file = dir.resolve("hub.jfr");
            rec.dump(file);
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            List<String> names = events.stream().map(RecordedEvent::getEventType)
                    .map(t -> t.getName()).distinct().toList();
            assertTrue(names.contains("io.switchyard.ReceiveBatch"), names.toString());
            assertTrue(names.contains("io.switchyard.Flush"), names.toString());
            assertTrue(names.contains("io.switchyard.Handshake"), names.toString());
            // The fields carry what the hub did, not placeholders.
            assertTrue(events.stream().filter(e -> e.getEventType().getName().equals("io.switchyard.ReceiveBatch"))
                    .allMatch(e -> e.getInt("socket") == 0 && e.getInt("datagrams") >= 1 && e.getInt("groSegments") >= 0),
                    "receive batches name the listen socket");
            assertTrue(events.stream().filter(e -> e.getEventType().getName().equals("io.switchyard.Flush"))
                    .anyMatch(e -> e.getInt("gsoTrains") >= 1 && e.getInt("datagrams") >= 1), "flushes count their trains");
            assertTrue(events.stream().filter(e -> e.getEventType().getName().equals("io.switchyard.Handshake"))
                    .anyMatch(e -> "completed".equals(e.getString("outcome"))), "a completed handshake is recorded");
        }
    }

    @Test
    void innerUdpChecksumMatchesAKnownHeader() {
        // The widely quoted worked example of the IPv4 header checksum (Wikipedia, "Internet
        // checksum"): 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 -> checksum 0xb861.
        ByteBuffer b = ByteBuffer.allocate(0x73);
        int total = InnerUdp.writeHeaders(b, 0, new byte[] {(byte) 192, (byte) 168, 0, 1},
                new byte[] {(byte) 192, (byte) 168, 0, (byte) 199}, 1234, 80, 0x73 - 28);
        assertEquals(0x73, total);
        assertEquals("45000073000040004011b861c0a80001c0a800c7",
                java.util.HexFormat.of().formatHex(b.array(), 0, 20));
        assertEquals(0, InnerUdp.checksum(b, 0, 20), "a correct header sums to zero");
        assertEquals(0x73 - 28, InnerUdp.payloadLength(b, 0, 0x73));
        b.put(15, (byte) (b.get(15) ^ 1));
        assertEquals(-1, InnerUdp.payloadLength(b, 0, 0x73), "a corrupted header is refused");
    }
}
