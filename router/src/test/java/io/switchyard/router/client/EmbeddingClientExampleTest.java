package io.switchyard.router.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.Hub;
import io.switchyard.wireguard.Keys;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client-mode example of docs/embedding.md, verbatim between the markers, so it cannot rot. */
@Timeout(60)
class EmbeddingClientExampleTest {
    @Test
    void example() throws Exception {
        // --- docs/embedding.md: client mode ---
        Key32 hubKey = Key32.of(Keys.generatePrivateKey());
        Key32 aliceKey = Key32.of(Keys.generatePrivateKey());
        Key32 bobKey = Key32.of(Keys.generatePrivateKey());
        byte[] alice = {10, 9, 0, 1};
        byte[] bob = {10, 9, 0, 2};
        Config config = new Config("example", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of(
                PeerConfig.of(Key32.of(Keys.publicKey(aliceKey.toBytes())), List.of(IpPrefix.of(alice, 32))),
                PeerConfig.of(Key32.of(Keys.publicKey(bobKey.toBytes())), List.of(IpPrefix.of(bob, 32)))));
        Key32 hubPublic = Key32.of(Keys.publicKey(hubKey.toBytes()));
        AtomicReference<String> got = new AtomicReference<>();
        try (Hub hub = Hub.start(config)) {
            var at = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
            try (var a = WireGuardClient.open(aliceKey, hubPublic, at, alice);
                    var b = WireGuardClient.open(bobKey, hubPublic, at, bob)) {
                a.handshake(Duration.ofSeconds(10));
                b.handshake(Duration.ofSeconds(10));
                a.send(bob, 40000, 7, "hello bob".getBytes(StandardCharsets.UTF_8));
                long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (got.get() == null && System.nanoTime() < giveUp) {
                    a.poll(null); // the owner polls: replies, keepalives and timers
                    b.poll((buf, off, len, srcPort, dstPort) -> {
                        byte[] text = new byte[len]; // the buffer is only valid during the call
                        buf.get(off, text);
                        got.set(new String(text, StandardCharsets.UTF_8) + " on port " + dstPort);
                    });
                    Thread.sleep(1);
                }
            }
        }
        // --- end ---
        assertEquals("hello bob on port 7", got.get());
    }
}
