package io.switchyard.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator against hubs that are other processes in the bench's namespace: wireguard-go
 * with a TUN and the kernel forwarding, and {@code switchyard up}. Needs root and wireguard-go;
 * skipped without them, except under CI ({@code CI=true}), whose set-up installs them.
 */
class ExternalTargetTest {
    private static final long OFFERED = 20_000;

    @BeforeAll
    static void needsRootAndWireguardGo() {
        boolean possible = "root".equals(System.getProperty("user.name"))
                && Files.isExecutable(Target.External.WIREGUARD_GO) && Files.isExecutable(Target.External.WG)
                && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")));
        Prerequisites.require(possible, "needs root, iproute2, wireguard-go and wireguard-tools");
        ForwardingBench.rate = OFFERED;
        ForwardingBench.pairs = 1;
    }

    @AfterAll
    static void stopHubs() throws Exception {
        ForwardingBench.closeKept();
    }

    @Test
    void wireguardGoForwardsWhatTheGeneratorOffers() throws Exception {
        check(ForwardingBench.run(1, ForwardingBench.variant("wggo"), 64, 1, 1));
    }

    @Test
    void aSwitchyardProcessForwardsWhatTheGeneratorOffers() throws Exception {
        check(ForwardingBench.run(1, ForwardingBench.variant("sy-netns"), 64, 1, 1));
    }

    @Test
    void wireguardGoForwardsOverIpv6() throws Exception {
        // 1,420 B padded as WireGuard pads (1,452-byte datagrams): 1,424 would not fit the veth's IPv6 path
        ForwardingBench.paddingLimit = ForwardingBench.MTU;
        try {
            ForwardingBench.Result r = ForwardingBench.run(1, ForwardingBench.variant("wggo"), 6, 1420, 1, 1);
            assertEquals(6, r.family(), r.toString());
            check(r);
        } finally {
            ForwardingBench.paddingLimit = Integer.MAX_VALUE;
        }
    }

    @Test
    void aSwitchyardProcessForwardsOverIpv6() throws Exception {
        // 1,420 B padded as WireGuard pads (1,452-byte datagrams): 1,424 would not fit the veth's IPv6 path
        ForwardingBench.paddingLimit = ForwardingBench.MTU;
        try {
            ForwardingBench.Result r = ForwardingBench.run(1, ForwardingBench.variant("sy-netns"), 6, 1420, 1, 1);
            assertEquals(6, r.family(), r.toString());
            check(r);
        } finally {
            ForwardingBench.paddingLimit = Integer.MAX_VALUE;
        }
    }

    private static void check(ForwardingBench.Result r) {
        // Paced at 20k pps, a working hub forwards most of it even on a loaded machine; a
        // broken path (no roaming to the sink, no route, bad inner packets) forwards none.
        assertTrue(r.sentPps() > OFFERED / 2, "the generator sent " + r);
        assertTrue(r.pps() > r.sentPps() / 4, "the hub forwarded too little of what was sent: " + r);
        assertTrue(r.hubSocketDrops() >= 0, r.toString());
        assertEquals(-1, r.hubDrops(), "another process's own counters are not read: " + r);
        assertTrue(Double.isNaN(r.recvBatch()), r.toString());
    }
}
