package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.cli.Main;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.ConfigWriter;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.Setting;
import io.switchyard.control.ControlServer;
import io.switchyard.control.HubControl;
import io.switchyard.control.HubStatisticsEvent;
import io.switchyard.control.UapiClient;
import io.switchyard.control.UapiException;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.PrometheusParser;
import io.switchyard.control.testing.Wg;
import io.switchyard.io.testing.Prerequisites;
import io.switchyard.router.Hub;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane on a real {@link Hub}: the wg tool, metrics with real counters, reload. */
class HubControlTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void wgToolMetricsAndReloadAgainstARunningHub(@TempDir Path dir) throws Exception {
        String why = Wg.unavailable();
        Prerequisites.require(why);
        String name = Wg.uniqueName();
        Key32 priv = MemoryTarget.newPrivateKey();
        Key32 a = MemoryTarget.randomPublic();
        int metricsPort = freePort();
        Path file = dir.resolve(name + ".conf");
        Files.writeString(file, "[Interface]\nPrivateKey = " + priv.toBase64() + "\nListenPort = 0\n\n[Switchyard]\n"
                + "MetricsAddress = 127.0.0.1:" + metricsPort + "\n\n[Peer]\nPublicKey = " + a.toBase64()
                + "\nAllowedIPs = 10.0.0.2/32\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Config config = ConfigParser.parse(file).config();
        try (Hub hub = Hub.start(config); HubControl control = HubControl.start(hub, Optional.of(file))) {
            assertEquals(Optional.of(Wg.socketOf(name)), control.controlServer().map(ControlServer::path));
            int port = hub.localAddress().getPort();

            String show = Wg.run("show", name).requireOk().out();
            assertTrue(show.contains("listening port: " + port), show);
            assertTrue(show.contains("peer: " + a), show);

            Key32 b = MemoryTarget.randomPublic();
            Wg.run("set", name, "peer", b.toBase64(), "allowed-ips", "10.0.1.0/24").requireOk();
            assertEquals(List.of(IpPrefix.parse("10.0.1.0/24")), hub.config().peer(b).orElseThrow().allowedIps());

            // a restart-only change is refused by the hub and reported by wg
            Wg.Result refused = Wg.run("set", name, "listen-port", Integer.toString(port == 65535 ? 1 : port + 1));
            assertNotEquals(0, refused.exit());
            assertTrue(refused.err().contains("Invalid argument"), refused.err());
            assertEquals(port, hub.localAddress().getPort());

            // garbage to the listen port: counted as dropped, visible in metrics and status
            try (DatagramSocket udp = new DatagramSocket()) {
                byte[] junk = "not wireguard".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 5; i++) {
                    udp.send(new DatagramPacket(junk, junk.length, InetAddress.getLoopbackAddress(), port));
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
            while (hub.stats().dropped() < 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + metricsPort + "/metrics").toURL()
                    .openConnection();
            assertEquals(200, c.getResponseCode());
            var samples = PrometheusParser.parse(new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            double malformed = samples.stream().filter(s -> s.name().equals("switchyard_drops_total")
                    && s.labels().equals(java.util.Map.of("reason", "malformed"))).mapToDouble(PrometheusParser.Sample::value)
                    .findFirst().orElseThrow();
            assertEquals(5, malformed);
            UapiClient.Status status = UapiClient.status(Wg.socketOf(name));
            assertEquals(5L, status.snapshot().drops().get("malformed"));
            assertTrue(status.snapshot().rxPackets() >= 5);

            var out = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.out;
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            int rc;
            try {
                rc = new picocli.CommandLine(new io.switchyard.cli.Main()).execute("show", name, "--interval", "0");
            } finally {
                System.setOut(old);
            }
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, text);
            assertTrue(text.contains("  listening port: " + port + "\n"), text);
            assertTrue(text.contains("  drops: 5 (malformed 5)\n"), text);
            assertTrue(text.contains("peer: " + b + "\n  allowed ips: 10.0.1.0/24\n"), text);

            // reload: the file drops b (added by wg set) and changes a
            Files.writeString(file, Files.readString(file).replace("10.0.0.2/32", "10.0.0.2/32, 10.0.0.3/32"));
            UapiClient.Reply r = UapiClient.request(Wg.socketOf(name), "switchyard-reload=1\n\n");
            assertEquals(0, r.errno(), r.message());
            assertEquals(name + ".conf: 0 peers added, 1 removed, 1 changed, 0 unchanged", r.message());
            assertTrue(hub.config().peer(b).isEmpty());
            assertEquals(2, hub.config().peer(a).orElseThrow().allowedIps().size());
        }
        assertFalse(Files.exists(Wg.socketOf(name)), "socket removed on close");
    }

    @Test
    void everyOpenHubControlEmitsPeriodicStatistics(@TempDir Path dir) throws Exception {
        Config off = MemoryTarget.config("stat1", MemoryTarget.newPrivateKey(), List.of());
        off = new Config(off.name(), off.iface(), off.settings().with(io.switchyard.config.Setting.CONTROL_SOCKET, "off"), off.peers());
        Config two = new Config("stat2", off.iface(), off.settings(), List.of(MemoryTarget.peer(MemoryTarget.randomPublic(), "10.0.0.2/32")));
        Path file = dir.resolve("s.jfr");
        // hubs first: JFR schedules a periodic hook added after a recording started only once
        // its periodic thread wakes for something else (the default and profile settings have
        // many periodic JDK events; a recording of this event alone has none)
        try (Hub h1 = Hub.start(off); HubControl c1 = HubControl.start(h1, Optional.empty());
                Hub h2 = Hub.start(two); HubControl c2 = HubControl.start(h2, Optional.empty());
                jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable(HubStatisticsEvent.class).withPeriod(Duration.ofMillis(50));
            r.start();
            Thread.sleep(400); // several periods; the assertion below needs only one each
            r.stop();
            r.dump(file);
        }
        var events = jdk.jfr.consumer.RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.switchyard.HubStatistics")).toList();
        assertTrue(events.stream().anyMatch(e -> e.getString("iface").equals("stat1") && e.getInt("peers") == 0), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.getString("iface").equals("stat2") && e.getInt("peers") == 1), events.toString());
        // after close no hook is left behind: a new recording sees none
        Path after = dir.resolve("after.jfr");
        try (jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable(HubStatisticsEvent.class).withPeriod(Duration.ofMillis(50));
            r.start();
            Thread.sleep(200);
            r.stop();
            r.dump(after);
        }
        assertEquals(0, jdk.jfr.consumer.RecordingFile.readAllEvents(after).stream()
                .filter(e -> e.getEventType().getName().equals("io.switchyard.HubStatistics")).count());
    }

    @Test
    void controlSocketOffMeansNoSocket(@TempDir Path dir) throws Exception {
        Config c = MemoryTarget.config("nocontrol", MemoryTarget.newPrivateKey(), List.of());
        c = new Config(c.name(), c.iface(), c.settings().with(io.switchyard.config.Setting.CONTROL_SOCKET, "off"), c.peers());
        try (Hub hub = Hub.start(c); HubControl control = HubControl.start(hub, Optional.empty())) {
            assertTrue(control.controlServer().isEmpty());
            assertTrue(control.metricsServer().isEmpty());
            UapiException e = org.junit.jupiter.api.Assertions.assertThrows(UapiException.class, control::reload);
            assertEquals(UapiException.EOPNOTSUPP, e.errno());
        }
    }

    @Test
    void aCustomSocketPathIsUsed(@TempDir Path dir) throws Exception {
        Config c = MemoryTarget.config("custom", MemoryTarget.newPrivateKey(), List.of());
        Path sock = dir.resolve("c.sock");
        c = new Config(c.name(), c.iface(), c.settings().with(io.switchyard.config.Setting.CONTROL_SOCKET, sock.toString()), c.peers());
        try (Hub hub = Hub.start(c); HubControl control = HubControl.start(hub, Optional.empty())) {
            UapiClient.Status s = UapiClient.status(sock);
            assertEquals(hub.localAddress().getPort(), s.snapshot().listenPort());
            ConfigWriter.write(hub.config(), dir.resolve("custom.conf"));
        }
        assertFalse(Files.exists(sock));
    }
}
