package io.switchyard.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.config.Config;
import io.switchyard.config.InterfaceAddress;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.client.WireGuardClient;
import io.switchyard.wireguard.Keys;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hub example of docs/embedding.md, verbatim between the markers (DocExamplesTest checks). */
@Timeout(60)
class EmbeddingHubExampleTest {
    @Test
    void example() throws Exception {
        List<HubEvent> seen = new CopyOnWriteArrayList<>();
        AtomicReference<String> reply = new AtomicReference<>();
        PeerStats stats;
        // --- docs/embedding.md: hub ---
        Key32 hubKey = Key32.of(Keys.generatePrivateKey());
        Key32 aliceKey = Key32.of(Keys.generatePrivateKey());
        Key32 alicePublic = Key32.of(Keys.publicKey(aliceKey.toBytes()));
        byte[] alice = {10, 8, 0, 1};
        InterfaceConfig iface = InterfaceConfig.of(hubKey)
                .withAddresses(List.of(InterfaceAddress.parse("10.8.0.254/24"))); // the hub's own address
        try (Hub hub = Hub.start(new Config("app", iface, RouterSettings.defaults(), List.of()));
                ActorSystem apps = ActorSystem.create("apps")) {
            hub.subscribe(seen::add); // handshakes, peers up and down, drops: on the hub's event thread
            hub.addPeer(PeerConfig.of(alicePublic, List.of(IpPrefix.of(alice, 32))));

            // A UDP service on the hub's own address, written as an actor: it answers every datagram.
            OverlayUdpEndpoint[] port = new OverlayUdpEndpoint[1];
            ActorRef<OverlayDatagram> service = apps.spawn(Props.<OverlayDatagram>of(ctx -> d -> port[0].send(
                    d.source(), d.sourcePort(), ("you said: " + new String(d.payload(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8))), "service");
            port[0] = hub.bindUdp(InetAddress.getByName("10.8.0.254"), 5000, service);

            // Any WireGuard peer can use it; here one in client mode, in the same program.
            var at = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
            try (var a = WireGuardClient.open(aliceKey, Key32.of(Keys.publicKey(hubKey.toBytes())), at, alice)) {
                a.handshake(Duration.ofSeconds(10));
                a.send(new byte[] {10, 8, 0, (byte) 254}, 40000, 5000, "hello".getBytes(StandardCharsets.UTF_8));
                long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (reply.get() == null && System.nanoTime() < giveUp) {
                    a.poll((buf, off, len, srcPort, dstPort) -> {
                        byte[] text = new byte[len];
                        buf.get(off, text);
                        reply.set(new String(text, StandardCharsets.UTF_8));
                    });
                    Thread.sleep(1);
                }
            }
            stats = hub.peer(alicePublic).orElseThrow(); // endpoint, last handshake, packets, drops by reason
            hub.removePeer(alicePublic);
        }
        // --- end ---
        assertEquals("you said: hello", reply.get());
        assertTrue(stats.rxPackets() >= 2, stats.toString());
        assertTrue(seen.stream().anyMatch(e -> e instanceof HubEvent.PeerUp), seen.toString());
    }
}
