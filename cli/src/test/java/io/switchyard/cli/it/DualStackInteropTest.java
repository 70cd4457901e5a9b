package io.switchyard.cli.it;

import static io.switchyard.cli.it.DualStackHub.counter;
import static io.switchyard.cli.it.DualStackHub.drops;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.router.DropReason;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 22's dual-stack matrix with real clients: stock wireguard-go clients reach our hub over
 * IPv4 and over IPv6 (outer), each with an IPv4 and an IPv6 address inside the tunnel (inner),
 * through two hubs, one sending with UDP GSO and one without. Every pair of outer families
 * (4→4, 6→6, 4→6, 6→4) carries full-MTU pings with DF and an iperf3 TCP transfer for both inner
 * families. A 1,420-byte inner packet makes a 1,452-byte WireGuard datagram, 1,500 bytes over
 * IPv6: exactly the link MTU, so a hub that grows it by one padding byte (as one did: 1,424,
 * every GSO train to an IPv6 client refused with EMSGSIZE, iperf3 at 0 bit/s) fails here.
 *
 * <p>Then, on the GSO hub: a client roaming from IPv4 to IPv6 and back, a client the hub must
 * reach first at an IPv4-mapped endpoint ({@code [::ffff:a.b.c.d]:port}) through its dual-stack
 * socket, and inner IPv6 cryptokey routing (forwarding, spoofed source, no route). After every
 * test the hub's accounting balances.
 *
 * <p>Needs root, iproute2, wireguard-go, wireguard-tools, ping and iperf3; skips, saying why,
 * where one is missing, and fails instead under {@code CI=true}. {@code SWITCHYARD_WIREGUARD_GO}
 * runs it against another wireguard-go binary. The iperf3 figures are printed to the test's
 * output (surefire's {@code -output.txt}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DualStackInteropTest {
    /** Below any rate a working hub reaches here (0.1-0.4 Gbit/s on two cores); the padding bug gave 0. */
    private static final double MIN_MBIT = 20;
    private static final int MAPPED = 5;
    private static final int ROAMER = 6;
    private static final int MAPPED_PORT = 40505;

    private DualStackHub gsoOn;
    private DualStackHub gsoOff;
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void topologies() throws Exception {
        Netns.requireInteropPossible();
        System.out.println("wireguard-go: " + WgGoClient.WIREGUARD_GO + " (" + WgGoClient.version() + ")");
        // clients 1, 2 over IPv4 and 3, 4 over IPv6; on the GSO hub also the one it reaches first
        // (at the IPv4-mapped form of its address) and the one that roams
        gsoOn = DualStackHub.start('m', "GSO = on", 1500, 1420, List.of(DualStackHub.Client.v4(), DualStackHub.Client.v4(),
                DualStackHub.Client.v6(), DualStackHub.Client.v6(),
                DualStackHub.Client.answering(WgGoClient.endpoint("::ffff:" + DualStackHub.clientIp4(MAPPED), MAPPED_PORT),
                        MAPPED_PORT),
                DualStackHub.Client.v4()));
        gsoOff = DualStackHub.start('n', "GSO = off", 1500, 1420, List.of(DualStackHub.Client.v4(), DualStackHub.Client.v4(),
                DualStackHub.Client.v6(), DualStackHub.Client.v6()));
        // Both hubs run the same classes in this JVM: one second of TCP compiles their hot path,
        // so that the first cell measures the hub and not the bytecode interpreter (36 Mbit/s
        // cold where the others got 120-300).
        gsoOn.client(1).iperfTo(gsoOn.client(2), 1);
    }

    @AfterEach
    void booksBalance(org.junit.jupiter.api.TestInfo test) throws Exception {
        for (DualStackHub t : new DualStackHub[] {gsoOn, gsoOff}) {
            if (t != null && t.hub != null) {
                t.awaitBalanced(test.getDisplayName() + " (hub " + t.tag + ")");
            }
        }
    }

    @AfterAll
    void tearDown() throws Exception {
        System.out.println("iperf3 TCP, 2 s, through the hub (receiver's rate):");
        figures.forEach(System.out::println);
        try {
            if (gsoOn != null) {
                gsoOn.close();
            }
        } finally {
            if (gsoOff != null) {
                gsoOff.close();
            }
        }
    }

    /** One cell of the matrix: GSO, the sender's and the receiver's client (their outer families), the inner family. */
    record Cell(boolean gso, int from, int to, boolean inner6) {
        /** Whether client {@code client} (1 to 4, the matrix's) reaches the hub over IPv6. */
        static boolean outer6(int client) {
            return client >= 3;
        }

        @Override
        public String toString() {
            return "GSO " + (gso ? "on " : "off") + ", outer " + (outer6(from) ? 6 : 4) + "→" + (outer6(to) ? 6 : 4)
                    + " (c" + from + "→c" + to + "), inner IPv" + (inner6 ? 6 : 4);
        }
    }

    static Stream<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        int[][] pairs = {{1, 2}, {3, 4}, {1, 3}, {4, 2}}; // 4→4, 6→6, 4→6, 6→4
        for (boolean gso : new boolean[] {true, false}) {
            for (int[] p : pairs) {
                for (boolean inner6 : new boolean[] {false, true}) {
                    cells.add(new Cell(gso, p[0], p[1], inner6));
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    @Order(1)
    void fullMtuPingsAndTcpGetThrough(Cell cell) throws Exception {
        DualStackHub t = cell.gso() ? gsoOn : gsoOff;
        WgGoClient from = t.client(cell.from());
        WgGoClient to = t.client(cell.to());
        String dst = cell.inner6() ? to.overlay6 : to.overlay;
        HubStats before = t.hub.stats();
        long fragmentsBefore = t.fragmentsCreated();

        // 1,420 bytes inside the tunnel with DF (IPv6 never fragments in flight): the tunnel MTU
        String out = from.pingOutput(dst, 3, "-M", "do", "-s", cell.inner6() ? "1372" : "1392", "-W", "2");
        assertEquals(3, WgGoClient.replies(out), "full-MTU pings " + cell + ":\n" + out);

        WgGoClient.Iperf r = from.iperfTo(to, dst, 2);
        assertEquals(0, r.exit(), r.out());
        double mbit = r.receivedBitsPerSecond() / 1e6;
        HubStats after = t.hub.stats();
        figures.add(String.format("  %-44s %7.1f Mbit/s  %6d retransmits  hub drops: %s", cell, mbit, r.retransmits(),
                DualStackHub.dropsBetween(before, after)));
        assertTrue(mbit > MIN_MBIT, cell + ": iperf3 TCP moved only " + r.receivedBytes() + " bytes (" + mbit + " Mbit/s)");

        // A datagram too big for the path still arrives: a refused GSO train is resent singly,
        // and a single datagram is fragmented by the kernel. Neither may happen at 1,500 bytes.
        assertEquals(counter(before, "io.gso_too_big"), counter(after, "io.gso_too_big"),
                "GSO trains refused as too big for the path (EMSGSIZE)");
        assertEquals(fragmentsBefore, t.fragmentsCreated(), "outer packets the hub's kernel had to fragment");
        for (DropReason reason : new DropReason[] {DropReason.SEND_TOO_BIG, DropReason.SEND_FAILED,
                DropReason.SEND_UNREACHABLE, DropReason.DATAGRAM_TOO_BIG, DropReason.MALFORMED,
                DropReason.INNER_MALFORMED, DropReason.INNER_TOO_BIG}) {
            assertEquals(drops(before, reason), drops(after, reason), reason + " during " + cell + ": " + DualStackHub.nonZero(after));
        }
    }

    @Test
    @Order(2)
    void theGsoHubSentTrainsAndTheOtherNone() throws Exception {
        assertTrue(counter(gsoOn.hub.stats(), "io.gso_trains") > 0, "GSO on, yet no train: " + gsoOn.hub.stats().counters());
        assertEquals(0, counter(gsoOff.hub.stats(), "io.gso_trains"), "GSO off, yet trains were sent");
    }

    @Test
    @Order(3)
    void aClientRoamingFromIpv4ToIpv6AndBackKeepsWorking() throws Exception {
        DualStackHub t = gsoOn;
        WgGoClient roamer = t.client(ROAMER);
        assertEndpoint(t.peer(roamer), DualStackHub.clientIp4(ROAMER), Inet4Address.class);

        roamer.wg("set", roamer.ifname, "peer", t.hubPublic, "endpoint", WgGoClient.endpoint(DualStackHub.hubIp6(ROAMER), DualStackHub.PORT));
        // the hub follows authenticated packets from the new source (keepalives every second)
        t.awaitPeer(roamer, p -> p.endpoint().map(e -> e.getAddress() instanceof Inet6Address
                && e.getAddress().equals(address(DualStackHub.clientIp6(ROAMER)))).orElse(false), "roam to IPv6");
        assertTrafficBothWays(t, roamer, "after roaming to IPv6");

        roamer.wg("set", roamer.ifname, "peer", t.hubPublic, "endpoint", WgGoClient.endpoint(DualStackHub.hubIp4(ROAMER), DualStackHub.PORT));
        t.awaitPeer(roamer, p -> p.endpoint().map(e -> e.getAddress().equals(address(DualStackHub.clientIp4(ROAMER))))
                .orElse(false), "roam back to IPv4");
        assertEndpoint(t.peer(roamer), DualStackHub.clientIp4(ROAMER), Inet4Address.class);
        assertTrafficBothWays(t, roamer, "after roaming back to IPv4");
    }

    /**
     * Pings between {@code c} and an IPv4 client (inner IPv4) and an IPv6 client (inner IPv6), both
     * ways, three each, until one round is answered in full (at most four rounds), with no drop
     * counted by the hub meanwhile. Rounds, not one try: wireguard-go 0.0.20250522 fails a send or
     * two ({@code sendmmsg: network is unreachable} in its verbose log) in the two seconds after
     * {@code wg set ... endpoint} moves it to the other family; tcpdump shows that reply leave
     * its TUN and never reach its veth, so it is lost in the client, before the hub. Rounds lost
     * are printed to the test's output.
     */
    private void assertTrafficBothWays(DualStackHub t, WgGoClient c, String when) throws Exception {
        WgGoClient v4 = t.client(1);
        WgGoClient v6 = t.client(3);
        HubStats before = t.hub.stats();
        String[] legs = {"c1 → roamer, inner IPv4", "roamer → c1, inner IPv4", "c3 → roamer, inner IPv6",
                "roamer → c3, inner IPv6"};
        for (int round = 1; ; round++) {
            String[] outs = {v4.pingOutput(c.overlay, 3, "-W", "2"), c.pingOutput(v4.overlay, 3, "-W", "2"),
                    v6.pingOutput(c.overlay6, 3, "-W", "2"), c.pingOutput(v6.overlay6, 3, "-W", "2")};
            StringBuilder unanswered = new StringBuilder();
            for (int i = 0; i < outs.length; i++) {
                if (WgGoClient.replies(outs[i]) != 3) {
                    unanswered.append(legs[i]).append(":\n").append(outs[i]);
                }
            }
            if (unanswered.isEmpty()) {
                break;
            }
            System.out.println("roaming, " + when + ", round " + round + " not answered in full:\n" + unanswered);
            assertTrue(round < 4, "traffic " + when + " still lost after four rounds:\n" + unanswered);
        }
        HubStats after = t.hub.stats();
        assertEquals("-", DualStackHub.dropsBetween(before, after), "the hub dropped packets " + when);
    }

    /** Three pings from {@code from} to {@code to}, all answered; ping's output and the hub's drops otherwise. */
    private void assertPings(WgGoClient from, String to, String what) throws Exception {
        assertPings(from, to, 2, what);
    }

    private void assertPings(WgGoClient from, String to, int waitSeconds, String what) throws Exception {
        String out = from.pingOutput(to, 3, "-W", Integer.toString(waitSeconds));
        assertEquals(3, WgGoClient.replies(out), what + ":\n" + out + "hub drops: " + DualStackHub.nonZero(gsoOn.hub.stats()));
    }

    @Test
    @Order(4)
    void theHubReachesAClientAtAnIpv4MappedEndpointFirstAndReportsItAsIpv4() throws Exception {
        DualStackHub t = gsoOn;
        WgGoClient mapped = t.client(MAPPED);
        PeerStats quiet = t.peer(mapped);
        assertTrue(quiet.lastHandshake().isEmpty(), "the client has not spoken yet: " + quiet);
        // configured as [::ffff:10.210.5.2]:40505, reported in its plain IPv4 form
        assertEndpoint(quiet, DualStackHub.clientIp4(MAPPED), Inet4Address.class);
        assertEquals(MAPPED_PORT, quiet.endpoint().orElseThrow().getPort());

        // c3 (over IPv6) pings it: the hub stages the packets, initiates the handshake to the mapped
        // endpoint through its dual-stack socket, and sends them once the session is up
        WgGoClient v6 = t.client(3);
        assertPings(v6, mapped.overlay6, 5, "c3 → the client the hub reached first, inner IPv6");
        PeerStats up = t.peer(mapped);
        assertTrue(up.lastHandshake().isPresent(), "handshake with the mapped endpoint: " + up);
        assertEndpoint(up, DualStackHub.clientIp4(MAPPED), Inet4Address.class);
        assertEquals(MAPPED_PORT, up.endpoint().orElseThrow().getPort());
        // the client saw the hub's initiation come over IPv4, from the hub's address on its link
        String seen = mapped.wg("show", mapped.ifname, "endpoints");
        assertTrue(seen.contains(WgGoClient.endpoint(DualStackHub.hubIp4(MAPPED), DualStackHub.PORT)),
                "the client's view of the hub: " + seen);
        assertPings(mapped, t.client(1).overlay, "the client → c1, inner IPv4");

        // and every client's endpoint in the form it has: IPv4 plain (never ::ffff:), IPv6 as IPv6
        for (int i = 1; i <= 4; i++) {
            PeerStats p = t.peer(t.client(i));
            if (Cell.outer6(i)) {
                assertEndpoint(p, DualStackHub.clientIp6(i), Inet6Address.class);
            } else {
                assertEndpoint(p, DualStackHub.clientIp4(i), Inet4Address.class);
            }
        }
    }

    private static void assertEndpoint(PeerStats p, String ip, Class<? extends InetAddress> family) {
        InetSocketAddress e = p.endpoint().orElseThrow(() -> new AssertionError("no endpoint: " + p));
        assertInstanceOf(family, e.getAddress(), "endpoint " + e);
        assertEquals(address(ip), e.getAddress(), "endpoint " + e);
        assertTrue(!e.getAddress().getHostAddress().contains("ffff"), "endpoint reported IPv4-mapped: " + e);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(5)
    void innerIpv6IsRoutedByAllowedIpsAndSpoofedOrUnroutedPacketsAreCounted() throws Exception {
        DualStackHub t = gsoOn;
        WgGoClient liar = t.client(3);
        WgGoClient other = t.client(4);
        assertPings(liar, other.overlay6, "c3 → c4, inner IPv6");
        assertPings(t.client(2), liar.overlay6, "c2 → c3, inner IPv6 over outer 4→6");

        HubStats before = t.hub.stats();
        PeerStats liarBefore = t.peer(liar);
        liar.ns.addAddress(liar.ifname, "fd98::77/128");
        try {
            assertEquals(0, liar.ping(other.overlay6, 3, "-W", "1", "-I", "fd98::77"), "a spoofed ping got an answer");
        } finally {
            liar.ns.must("ip", "-6", "addr", "del", "fd98::77/128", "dev", liar.ifname);
        }
        // the route covers the overlay /64, the hub's AllowedIPs only the clients' /128s
        assertEquals(0, liar.ping("fd00:95::99", 3, "-W", "1"), "a ping to an address no peer owns got an answer");
        HubStats after = t.hub.stats();
        PeerStats liarAfter = t.peer(liar);
        assertEquals(3, drops(after, DropReason.SPOOFED_SOURCE) - drops(before, DropReason.SPOOFED_SOURCE),
                "spoofed-source drops: " + DualStackHub.nonZero(after));
        assertEquals(3, liarAfter.drops().get(DropReason.SPOOFED_SOURCE) - liarBefore.drops().get(DropReason.SPOOFED_SOURCE),
                "counted against the sender: " + liarAfter);
        assertEquals(3, drops(after, DropReason.NO_ROUTE) - drops(before, DropReason.NO_ROUTE),
                "no-route drops: " + DualStackHub.nonZero(after));
        assertEquals(3, liarAfter.drops().get(DropReason.NO_ROUTE) - liarBefore.drops().get(DropReason.NO_ROUTE),
                "counted against the sender: " + liarAfter);
        assertPings(liar, other.overlay6, "honest traffic still flows");
    }
}
