package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ManualClock;
import io.switchyard.config.Key32;
import io.switchyard.io.MemoryNetwork;
import io.switchyard.io.UdpOptions;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.peer.Device;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Handshake admission under a flood: a full queue refuses with a boolean, and under-load lasts a second. */
class HandshakeWorkersTest {
    private final Device device = new Device(Key32.of(X25519.generatePrivateKey()));
    private final ManualClock clock = new ManualClock(5_000_000_000L);

    @Test
    void aFullQueueRefusesWithoutThrowingAndUnderLoadLastsASecond() throws Exception {
        MemoryNetwork net = new MemoryNetwork();
        try (Transmitter tx = new Transmitter(net.open(UdpOptions.create()), false);
             HandshakeWorkers w = new HandshakeWorkers(device, tx, () -> false, clock, 0, 16)) { // no threads: nothing drains
            InetSocketAddress from = new InetSocketAddress("192.0.2.1", 1000);
            assertFalse(w.underLoad());
            int accepted = 0;
            for (int i = 0; i < 100_000; i++) {
                if (w.submit(new byte[WireGuard.MESSAGE_INITIATION_SIZE], from, WireGuard.MESSAGE_INITIATION_TYPE)) {
                    accepted++;
                }
            }
            assertEquals(16, accepted, "the queue's bound, then refusals (no exception, no stack trace)");
            assertTrue(w.underLoad());
            w.clearForTests();
            clock.advance(Duration.ofMillis(900));
            assertTrue(w.underLoad(), "still under load 0.9 s after the queue was deep");
            clock.advance(Duration.ofMillis(200));
            assertFalse(w.underLoad(), "not after a second");
        }
    }
}
