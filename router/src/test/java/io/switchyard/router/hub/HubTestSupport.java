package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.config.Config;
import io.switchyard.config.PeerConfig;
import io.switchyard.router.HubStats;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the hub tests share: the hub under test, configuring test peers, waiting on the stats,
 * the accounting identity. A test class extends it, starts {@link #hub} and closes it.
 */
abstract class HubTestSupport {
    /** The hub under test, started by the subclass. */
    HubCore hub;

    /** Replaces the hub's peers with {@code ps}. */
    void configure(TestPeer... ps) {
        List<PeerConfig> peers = new ArrayList<>();
        for (TestPeer p : ps) {
            peers.add(p.config());
        }
        Config c = hub.config();
        hub.apply(new Config(c.name(), c.iface(), c.settings(), peers));
    }

    /** Waits (hang guard only, 10 s) until the stats satisfy {@code done}. */
    HubStats await(Predicate<HubStats> done) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        HubStats s = hub.stats();
        while (!done.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached; stats: " + s);
            }
            Thread.sleep(5);
            s = hub.stats();
        }
        return s;
    }

    /**
     * Handshakes and waits until the hub has opened the peer's confirming keepalive. Until then
     * the hub, as responder, may not send on the new session, and a packet for the peer would be
     * staged and answered with a handshake initiation of the hub's own (as the kernel and
     * wireguard-go do): the confirmation and other peers' packets travel through different
     * sockets, in no fixed order.
     */
    void handshake(TestPeer p) throws Exception {
        p.handshake();
        await(st -> st.peers().stream().anyMatch(x -> x.publicKey().equals(p.publicKey()) && x.rxPackets() >= 1));
    }

    static long named(HubStats s, String name) {
        return s.counters().get(name);
    }

    static boolean balanced(HubStats s) {
        return named(s, "forwarded") + named(s, "consumed") + s.dropped() == s.rxPackets() + named(s, "local.originated");
    }

    /** received + originated = forwarded + consumed + dropped. */
    static void assertBalanced(HubStats s) {
        long ends = named(s, "forwarded") + named(s, "consumed") + s.dropped();
        assertEquals(s.rxPackets() + named(s, "local.originated"), ends,
                "received + originated = forwarded + consumed + dropped: " + s);
    }
}
