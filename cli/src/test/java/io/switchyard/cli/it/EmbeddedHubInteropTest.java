package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.io.testing.Commands;
import io.switchyard.router.Hub;
import io.switchyard.router.HubEvent;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.router.OverlayUdpEndpoint;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9's interop test: a Java program embedding the hub (in-process, in its own namespace)
 * with two stock wireguard-go clients in theirs. The clients ping the hub's own overlay
 * address; a Java actor bound to UDP port 7 on it echoes what a client's socat sends; the second
 * client is added through the API while the first keeps pinging the hub, and removed again,
 * with the first losing nothing and a subscriber seeing both come and go. Needs root,
 * iproute2, wireguard-go, wireguard-tools, ping and socat (CI installs them).
 */
@Timeout(180)
class EmbeddedHubInteropTest {
    private static final int PORT = 51822;
    private static final String HUB_ADDRESS = "10.94.0.254";

    @Test
    void clientsPingTheHubTalkToAJavaActorAndComeAndGoThroughTheApi() throws Exception {
        Netns.requireInteropPossible();
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        List<AutoCloseable> cleanup = new ArrayList<>();
        try (ActorSystem apps = ActorSystem.create("overlay-apps")) {
            Netns hubNs = Netns.createOrSkip(Netns.PREFIX + id + "-e");
            cleanup.add(hubNs);
            List<WgGoClient> clients = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                Netns ns = Netns.create(Netns.PREFIX + id + "-f" + i);
                cleanup.add(ns);
                hubNs.link("e" + id + i, "10.205." + i + ".1/24", ns, "f" + id + i, "10.205." + i + ".2/24");
                clients.add(new WgGoClient(ns, "wgf" + id + i, WgGoClient.wgGenkey(), "10.94.0." + i));
            }
            WgGoClient c1 = clients.get(0);
            WgGoClient c2 = clients.get(1);
            String hubPrivate = WgGoClient.wgGenkey();
            String hubPublic = WgGoClient.wgPubkey(hubPrivate);
            // Only c1 at first; c2 comes through the API later.
            Config config = ConfigParser.parse("embedded.conf", "[Interface]\nPrivateKey = " + hubPrivate
                    + "\nListenPort = " + PORT + "\nAddress = " + HUB_ADDRESS + "/24\n\n[Peer]\nPublicKey = " + c1.publicKey
                    + "\nAllowedIPs = " + c1.overlay + "/32\n", Path.of(".")).config();
            Hub hub = hubNs.inside(() -> Hub.start(config));
            cleanup.add(hub);
            LinkedBlockingQueue<HubEvent> events = new LinkedBlockingQueue<>();
            cleanup.add(hub.subscribe(events::add));

            // An application inside the overlay: a UDP echo on the hub's address, port 7.
            OverlayUdpEndpoint[] echo = new OverlayUdpEndpoint[1];
            ActorRef<OverlayDatagram> app = apps.spawn(Props.<OverlayDatagram>of(ctx -> d ->
                    echo[0].send(d.source(), d.sourcePort(), d.payload())), "udp-echo");
            echo[0] = hub.bindUdp(InetAddress.getByName(HUB_ADDRESS), 7, app);

            for (int i = 0; i < clients.size(); i++) {
                WgGoClient c = clients.get(i);
                cleanup.add(c);
                c.start(hubPublic, "10.205." + (i + 1) + ".1:" + PORT, "10.94.0.0/24");
            }

            // -W 5: the first ping waits for the handshake.
            assertEquals(5, c1.ping(HUB_ADDRESS, 5, "-W", "5"), "c1 pings the hub itself");

            Commands.Result r = c1.ns.exec("sh", "-c", "echo 'hello from a wireguard-go client' | socat -t 3 - UDP:" + HUB_ADDRESS + ":7");
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("hello from a wireguard-go client"), "the Java actor echoed it: " + r.out());

            // c1 keeps pinging the hub while c2 is added, used and removed through the API.
            Process ping = c1.ns.process("ping", "-c", "40", "-i", "0.2", "-W", "2", HUB_ADDRESS).redirectErrorStream(true).start();
            Key32 c2Key = Key32.fromBase64(c2.publicKey);
            hub.addPeer(PeerConfig.of(c2Key, List.of(IpPrefix.parse(c2.overlay + "/32"))));
            assertEquals(3, c2.ping(HUB_ADDRESS, 3, "-W", "5"), "c2, added at runtime, pings the hub");
            assertEquals(3, c2.ping(c1.overlay, 3, "-W", "2"), "and reaches c1 through it");
            awaitEvent(events, HubEvent.PeerUp.class, c2Key);
            assertTrue(hub.removePeer(c2Key));
            awaitEvent(events, HubEvent.PeerRemoved.class, c2Key);
            assertEquals(0, c2.ping(HUB_ADDRESS, 2, "-W", "1"), "a removed peer gets no answer");
            String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(ping.waitFor(60, TimeUnit.SECONDS));
            assertTrue(out.contains("40 received"), "c1 lost pings while peers came and went:\n" + out);
            var s = hub.stats();
            assertTrue(s.counters().get("local.originated") >= 48, "echo replies and UDP answers: " + s.counters());
            assertEquals(1, hub.config().peers().size());
        } finally {
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
        }
    }

    private static void awaitEvent(LinkedBlockingQueue<HubEvent> events, Class<? extends HubEvent> type, Key32 peer)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HubEvent e = events.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(e) && switch (e) {
                case HubEvent.PeerUp u -> u.peer().equals(peer);
                case HubEvent.PeerRemoved x -> x.peer().equals(peer);
                default -> false;
            }) {
                return;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " for " + peer);
    }
}
