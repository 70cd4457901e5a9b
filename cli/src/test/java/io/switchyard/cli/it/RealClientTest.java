package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.control.HubControl;
import io.switchyard.control.UapiClient;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.Wg;
import io.switchyard.io.testing.Prerequisites;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real WireGuard client (wireguard-go) handshakes with a real hub, both in a network namespace
 * this test creates, and the stock {@code wg show} on the hub's control socket shows what
 * {@code wg show} shows for any WireGuard interface: the peer's endpoint, the latest handshake and
 * the transfer. The hub is started from a thread that entered the namespace (setns), so all its
 * sockets live there. Needs root; CI runs as root.
 */
class RealClientTest {
    private static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");

    private String ns;
    private String clientName;
    private Process wireguardGo;

    @AfterEach
    void cleanUp() throws Exception {
        if (wireguardGo != null) {
            wireguardGo.destroy();
            if (!wireguardGo.waitFor(10, TimeUnit.SECONDS)) {
                wireguardGo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(Wg.socketOf(clientName));
        }
        if (ns != null) {
            run("ip", "netns", "del", ns);
        }
    }

    private static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) { // hang guard
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " hung");
        }
        return p.exitValue();
    }

    private static String output(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static void must(String... cmd) throws Exception {
        int rc = run(cmd);
        if (rc != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + rc);
        }
    }

    /** Starts a hub from a platform thread that has entered {@code ns}. */
    private static Hub startHubIn(String ns, Config config) throws Exception {
        return io.switchyard.cli.it.Netns.inside(ns, () -> Hub.start(config));
    }

    @Test
    void wgShowOnTheHubShowsARealClientsHandshakeAndTransfer(@TempDir Path dir) throws Exception {
        String why = Wg.unavailable();
        Prerequisites.require(why);
        Prerequisites.require(Files.isExecutable(WIREGUARD_GO), WIREGUARD_GO + " is not installed");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Prerequisites.require(run("ip", "netns", "add", "sy-rc-" + id) == 0, "cannot create a network namespace");
        ns = "sy-rc-" + id;
        must("ip", "-n", ns, "link", "set", "lo", "up");

        Key32 hubKey = MemoryTarget.newPrivateKey();
        Key32 clientKey = MemoryTarget.newPrivateKey();
        String hubName = "sh" + id;
        Config config = MemoryTarget.config(hubName, hubKey, List.of(
                MemoryTarget.peer(MemoryTarget.publicOf(clientKey), "10.0.0.2/32")));
        try (Hub hub = startHubIn(ns, config); HubControl control = HubControl.start(hub, Optional.empty())) {
            int hubPort = hub.localAddress().getPort();

            clientName = "sc" + id;
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, WIREGUARD_GO.toString(), "-f", clientName)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
            wireguardGo = pb.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
            while (!Files.exists(Wg.socketOf(clientName))) {
                assertTrue(wireguardGo.isAlive() && System.nanoTime() < deadline, "wireguard-go did not start");
                Thread.sleep(20);
            }
            Path key = dir.resolve("client.key");
            Files.writeString(key, clientKey.toBase64() + "\n");
            Wg.run("set", clientName, "private-key", key.toString(), "peer", MemoryTarget.publicOf(hubKey).toBase64(),
                    "endpoint", "127.0.0.1:" + hubPort, "allowed-ips", "10.0.0.0/24",
                    // a keepalive every second: wireguard-go handshakes to send it (no ping needed)
                    "persistent-keepalive", "1").requireOk();
            must("ip", "-n", ns, "addr", "add", "10.0.0.2/24", "dev", clientName);
            must("ip", "-n", ns, "link", "set", clientName, "up");

            HubStats s = hub.stats();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (s.handshakesCompleted() < 1 || s.peers().get(0).rxPackets() < 1) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no handshake: " + s + "\nwg show " + clientName + ":\n"
                            + Wg.run("show", clientName).out() + "\nsockets in " + ns + ":\n" + output("ip", "netns", "exec", ns, "ss", "-uanp"));
                }
                Thread.sleep(50);
                s = hub.stats();
            }

            String show = Wg.run("show", hubName).requireOk().out();
            assertTrue(show.contains("peer: " + MemoryTarget.publicOf(clientKey)), show);
            assertTrue(show.contains("endpoint: 127.0.0.1:"), show);
            assertTrue(show.contains("latest handshake: "), show);
            assertTrue(show.contains("transfer: "), show);
            String dump = Wg.run("show", hubName, "latest-handshakes").requireOk().out();
            long when = Long.parseLong(dump.strip().split("\t")[1]);
            assertTrue(Math.abs(when - System.currentTimeMillis() / 1000) < 120, dump);

            String client = Wg.run("show", clientName).requireOk().out();
            assertTrue(client.contains("latest handshake: "), "wireguard-go agrees: " + client);

            // changes to other peers through the control socket leave this peer's session alone
            Key32 clientPublic = MemoryTarget.publicOf(clientKey);
            HubStats before = hub.stats();
            Key32 other = MemoryTarget.randomPublic();
            Wg.run("set", hubName, "peer", other.toBase64(), "allowed-ips", "10.0.0.3/32").requireOk();
            Path conf = dir.resolve(hubName + ".conf");
            Files.writeString(conf, "[Interface]\nPrivateKey = " + hubKey.toBase64() + "\n\n[Peer]\nPublicKey = "
                    + clientPublic.toBase64() + "\nAllowedIPs = 10.0.0.2/32\n\n[Peer]\nPublicKey = "
                    + MemoryTarget.randomPublic().toBase64() + "\nAllowedIPs = 10.0.0.4/32\n");
            Wg.run("syncconf", hubName, conf.toString()).requireOk(); // removes `other`, adds another
            assertEquals(2, hub.config().peers().size());
            long rx = before.peers().get(0).rxPackets();
            HubStats after = hub.stats();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (after.peers().get(0).rxPackets() < rx + 2) { // two more keepalives
                assertTrue(System.nanoTime() < deadline, "keepalives stopped: " + after);
                Thread.sleep(50);
                after = hub.stats();
            }
            assertEquals(clientPublic, after.peers().get(0).publicKey());
            assertEquals(before.handshakesCompleted(), after.handshakesCompleted(), "no new handshake");
            assertEquals(before.peers().get(0).lastHandshake(), after.peers().get(0).lastHandshake(), "same session");
            assertEquals(before.peers().get(0).endpoint(), after.peers().get(0).endpoint(), "learned endpoint kept");
            assertEquals(0, after.dropped(), after.drops().toString());

            UapiClient.Status status = UapiClient.status(Wg.socketOf(hubName));
            assertTrue(status.snapshot().peers().get(0).rxPackets() >= 1, status.toString());
            assertEquals(0L, status.snapshot().totalDrops(), status.snapshot().drops().toString());
            assertEquals(List.of(IpPrefix.parse("10.0.0.2/32")), status.snapshot().peers().get(0).allowedIps());
        }
    }
}
