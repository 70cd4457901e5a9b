package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ManualClock;
import io.switchyard.config.Config;
import io.switchyard.config.Endpoint;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.io.MemoryNetwork;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubEvent;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.crypto.X25519;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hub on an in-memory transport and a manual clock: no kernel, no namespace, and the
 * protocol's minutes (REJECT_AFTER_TIME, REKEY_TIMEOUT, REKEY_ATTEMPT_TIME) pass at once, so its
 * timer behaviour is tested as it is specified rather than shortened or skipped. The same hub
 * code runs over real sockets in the other hub tests and with real clients in the interop suite.
 */
@Timeout(60)
class HubOnMemoryTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private final MemoryNetwork network = new MemoryNetwork();
    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private TestPeer a;
    private TestPeer b;

    @BeforeEach
    void start() throws Exception {
        hub = HubCore.start(new Config("mem", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()),
                new HubEnvironment(name -> new MemorySockets(network), clock));
        a = new TestPeer(hubPublic, network, hub.localAddress().getPort(), A);
        b = new TestPeer(hubPublic, network, hub.localAddress().getPort(), B);
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        a.close();
        b.close();
    }

    @Test
    void forwardsBothWaysWithoutTheKernel() throws Exception {
        configure(a, b);
        handshake(a);
        handshake(b);
        byte[] ab = TestPeer.ipv4(A, B, "over memory".getBytes());
        a.send(ab);
        assertArrayEquals(ab, b.receiveData());
        byte[] ba = TestPeer.ipv4(B, A, "and back".getBytes());
        b.send(ba);
        assertArrayEquals(ba, a.receiveData());
        assertBalanced(await(st -> named(st, "forwarded") == 2));
    }

    @Test
    void aSessionNobodyRenewsGoesDownAfterRejectAfterTime() throws Exception {
        List<HubEvent> events = new CopyOnWriteArrayList<>();
        hub.subscribe(events::add);
        configure(a, b);
        handshake(a);
        waitFor(() -> events.stream().anyMatch(e -> e instanceof HubEvent.PeerUp));
        clock.advance(WireGuard.REJECT_AFTER_TIME.minusSeconds(1));
        Thread.sleep(100);
        assertFalse(events.stream().anyMatch(e -> e instanceof HubEvent.PeerDown), "still up: " + events);
        clock.advance(Duration.ofSeconds(2));
        waitFor(() -> events.stream().anyMatch(e -> e instanceof HubEvent.PeerDown d
                && d.cause() == HubEvent.PeerDown.Cause.SESSION_EXPIRED));
    }

    @Test
    void dataForAPeerWithoutASessionStartsAHandshakeRetriedUntilItGivesUp() throws Exception {
        PeerConfig withEndpoint = new PeerConfig(b.publicKey(), Optional.empty(), Optional.empty(),
                List.of(IpPrefix.of(B, 32)), Optional.of(new Endpoint("127.0.0.1", b.localPort())), 0);
        Config c = hub.config();
        hub.apply(new Config(c.name(), c.iface(), c.settings(), List.of(a.config(), withEndpoint)));
        handshake(a);
        a.send(TestPeer.ipv4(A, B, "staged".getBytes()));
        assertEquals(WireGuard.MESSAGE_INITIATION_SIZE, b.receiveRaw().remaining(), "the hub initiates");
        // REKEY_TIMEOUT (5 s) plus up to 333 ms of jitter: one retransmission.
        clock.advance(WireGuard.REKEY_TIMEOUT.plusMillis(400));
        assertEquals(WireGuard.MESSAGE_INITIATION_SIZE, b.receiveRaw().remaining(), "retried after REKEY_TIMEOUT");
        // It retries until REKEY_ATTEMPT_TIME (90 s) has passed, then drops what it staged.
        for (int s = 0; s < 100; s += 5) {
            clock.advance(WireGuard.REKEY_TIMEOUT.plusMillis(400));
            Thread.sleep(5);
        }
        assertBalanced(await(st -> st.drops().get(DropReason.HANDSHAKE_GAVE_UP) == 1));
    }

    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L; // hang guard
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "never happened");
            Thread.sleep(5);
        }
    }
}
