package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The harness proven without our hub, and the benchmark's baseline topology checked: a stock
 * wireguard-go hub ({@link WgGoHub}, kernel forwarding) in its own namespace, three wireguard-go
 * clients whose only peer is it. Every client pings every other with no loss, and an iperf3 TCP
 * transfer completes. When {@link HubInteropTest} fails and this passes, the fault is in our
 * hub, not in the namespaces, keys or clients. Needs root, iproute2, wireguard-go,
 * wireguard-tools, ping and iperf3 (CI installs them); skips, saying why, otherwise (fails under CI=true).
 */
class BaselineInteropTest {
    private static final int PORT = 51820;
    private static final int CLIENTS = 3;

    @Test
    void clientsReachEachOtherThroughAWireguardGoHub() throws Exception {
        Netns.requireInteropPossible();

        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        List<AutoCloseable> cleanup = new ArrayList<>();
        try {
            Netns hubNs = Netns.createOrSkip(Netns.PREFIX + id + "-b");
            cleanup.add(hubNs);
            String hubPrivate = WgGoClient.wgGenkey();
            String hubPublic = WgGoClient.wgPubkey(hubPrivate);
            List<WgGoClient> clients = new ArrayList<>();
            for (int i = 1; i <= CLIENTS; i++) {
                Netns ns = Netns.create(Netns.PREFIX + id + "-d" + i);
                cleanup.add(ns);
                hubNs.link("b" + id + i, "10.203." + i + ".1/24", ns, "d" + id + i, "10.203." + i + ".2/24");
                clients.add(new WgGoClient(ns, "wgd" + id + i, WgGoClient.wgGenkey(), "10.96.0." + i));
            }
            cleanup.add(new WgGoHub(hubNs, "wgb" + id, hubPrivate, PORT, "10.96.0.254/24", clients));
            for (int i = 0; i < CLIENTS; i++) {
                WgGoClient c = clients.get(i);
                cleanup.add(c);
                c.start(hubPublic, "10.203." + (i + 1) + ".1:" + PORT, "10.96.0.0/24");
            }
            for (WgGoClient from : clients) {
                for (WgGoClient to : clients) {
                    if (from != to) {
                        // -W 5: the first ping of a pair may wait for two handshakes
                        assertEquals(3, from.ping(to.overlay, 3, "-W", "5"), from.overlay + " to " + to.overlay);
                    }
                }
            }

            WgGoClient.Iperf r = clients.get(0).iperfTo(clients.get(1), 2);
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.receivedBytes() >= 0, r.out());
            assertTrue(r.receivedBytes() > 1_000_000, "received only " + r.receivedBytes() + " bytes");
        } finally {
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
        }
    }
}
