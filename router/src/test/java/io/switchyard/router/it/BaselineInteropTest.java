package io.switchyard.router.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The harness proven without our hub, and the benchmark's baseline topology checked: a stock
 * wireguard-go hub ({@link WgGoHub}, kernel forwarding) in its own namespace, three wireguard-go
 * clients whose only peer is it. Every client pings every other with no loss, and an iperf3 TCP
 * transfer completes. When {@link HubInteropTest} fails and this passes, the fault is in our
 * hub, not in the namespaces, keys or clients. Needs root, iproute2, wireguard-go,
 * wireguard-tools, ping and iperf3 (CI installs them); skips, saying why, otherwise.
 */
class BaselineInteropTest {
    private static final int PORT = 51820;
    private static final int CLIENTS = 3;

    @Test
    void clientsReachEachOtherThroughAWireguardGoHub() throws Exception {
        Netns.assumeInteropPossible();

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

            WgGoClient server = clients.get(1);
            Process iperf = server.ns.process("iperf3", "-s", "-1", "-B", server.overlay)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            cleanup.add(() -> {
                iperf.destroy();
                iperf.waitFor(10, TimeUnit.SECONDS);
            });
            Netns.Result r = null;
            for (int attempt = 0; attempt < 50; attempt++) { // the server needs a moment to listen
                r = clients.get(0).ns.exec("iperf3", "-c", server.overlay, "-t", "2", "-J");
                if (r.exit() == 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(0, r.exit(), r.out());
            Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bytes\":\\s*(\\d+)", Pattern.DOTALL)
                    .matcher(r.out());
            assertTrue(m.find(), r.out());
            assertTrue(Long.parseLong(m.group(1)) > 1_000_000, "received only " + m.group(1) + " bytes");
        } finally {
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
        }
    }
}
