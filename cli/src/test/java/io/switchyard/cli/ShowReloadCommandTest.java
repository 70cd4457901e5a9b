package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.Endpoint;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.control.ControlServer;
import io.switchyard.control.ControlSnapshot;
import io.switchyard.control.ControlTarget;
import io.switchyard.control.PeerSnapshot;
import io.switchyard.control.UapiException;
import io.switchyard.control.testing.TestMetrics;
import io.switchyard.wireguard.Keys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ShowReloadCommandTest {
    private final Key32 priv = Key32.of(Keys.generatePrivateKey());
    private final Key32 peerA = Key32.of(Keys.publicKey(Keys.generatePrivateKey()));
    private final Key32 peerB = Key32.of(Keys.publicKey(Keys.generatePrivateKey()));
    /** Traffic grows by 1,000 packets of 1,250 bytes per reading, so rates are visible. */
    private final AtomicLong readings = new AtomicLong();

    private final class Target implements ControlTarget {
        final AtomicReference<Config> config = new AtomicReference<>(new Config("t0",
                new InterfaceConfig(priv, Optional.empty(), 0, 0x10, List.of()), RouterSettings.defaults(), List.of(
                        new PeerConfig(peerA, Optional.empty(), Optional.empty(), List.of(IpPrefix.parse("10.0.0.2/32")),
                                Optional.of(new Endpoint("192.0.2.1", 51820)), 25),
                        PeerConfig.of(peerB, List.of(IpPrefix.parse("10.0.1.0/24"))))));
        volatile String reloadAnswer = "1 peer added, 0 removed, 0 changed, 2 unchanged";
        volatile UapiException reloadFailure;

        @Override
        public Config config() {
            return config.get();
        }

        @Override
        public void apply(Config next) {
            config.set(next);
        }

        @Override
        public ControlSnapshot snapshot() {
            long n = readings.incrementAndGet() * 1000;
            var drops = new LinkedHashMap<String, Long>();
            drops.put("replay", 3L);
            drops.put("bad_mac", 9L);
            drops.put("no_route", 0L);
            return new ControlSnapshot(51999, n, n * 1250, n, n * 1250, 4, 0, drops,
                    io.switchyard.control.testing.TestMetrics.of(Map.of("gso.trains", 12L, "zerocopy.sends", 0L)), List.of(
                    new PeerSnapshot(peerA, Optional.of(new InetSocketAddress("198.51.100.9", 4242)),
                            Optional.of(Instant.now().minusSeconds(75)), n, n * 1250, 0, 0, List.of(), 25, Map.of("replay", 3L))));
        }

        @Override
        public String reload() throws UapiException {
            if (reloadFailure != null) {
                throw reloadFailure;
            }
            return reloadAnswer;
        }
    }

    record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = new CommandLine(new Main()).execute(args);
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void showPrintsWgLikeStatusWithDropsCountersAndRates(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("t0.sock");
        try (ControlServer s = ControlServer.start(sock, new Target())) {
            Run r = cli("show", "--socket", sock.toString(), "--interval", "200ms");
            assertEquals(0, r.exit(), r.err());
            String o = r.out();
            assertTrue(o.startsWith("interface: t0\n"), o);
            assertTrue(o.contains("  public key: " + Key32.of(Keys.publicKey(priv.toBytes())) + "\n"), o);
            assertTrue(o.contains("  listening port: 51999\n"), o);
            assertTrue(o.contains("  fwmark: 0x10\n"), o);
            assertTrue(o.contains("  drops: 12 (bad_mac 9, replay 3)"), o);
            assertTrue(o.contains("  counters: gso.trains 12\n"), o);
            assertTrue(o.contains("  handshakes: 4 completed, 0 cookie replies sent\n"), o);
            assertTrue(o.contains("  rates: rx "), o);
            assertTrue(o.contains("peer: " + peerA + "\n  endpoint: 198.51.100.9:4242\n  allowed ips: 10.0.0.2/32\n"
                    + "  latest handshake: 1 minute, 15 seconds ago\n") || o.contains("1 minute, 16 seconds ago"), o);
            assertTrue(o.contains("  persistent keepalive: every 25 seconds\n"), o);
            assertTrue(o.contains("peer: " + peerB + "\n  allowed ips: 10.0.1.0/24\n"), o);
            assertTrue(o.indexOf(peerA.toString()) < o.indexOf(peerB.toString()), "recent handshake first");
        }
    }

    @Test
    void showWithoutRatesReadsOnce(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("t1.sock");
        try (ControlServer s = ControlServer.start(sock, new Target())) {
            Run r = cli("show", "--socket", sock.toString(), "--interval", "0");
            assertEquals(0, r.exit(), r.err());
            assertTrue(!r.out().contains("rates:"), r.out());
            assertEquals(1, readings.get());
        }
    }

    @Test
    void showOfAMissingSocketSaysSo(@TempDir Path dir) {
        Run r = cli("show", "--socket", dir.resolve("none.sock").toString(), "--interval", "0");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("none.sock"), r.err());
    }

    @Test
    void reloadPrintsTheSummaryOrTheProblems(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("t2.sock");
        Target t = new Target();
        try (ControlServer s = ControlServer.start(sock, t)) {
            Run ok = cli("reload", "--socket", sock.toString());
            assertEquals(0, ok.exit(), ok.err());
            assertEquals("1 peer added, 0 removed, 0 changed, 2 unchanged\n", ok.out());

            t.reloadFailure = new UapiException(UapiException.EINVAL,
                    "t2.conf:3:14: error: ListenPort: found \"70000\", expected a port number 0..65535\n1 error");
            Run bad = cli("reload", "--socket", sock.toString());
            assertEquals(1, bad.exit());
            assertTrue(bad.err().contains("refused (errno 22)"), bad.err());
            assertTrue(bad.err().contains("t2.conf:3:14: error: ListenPort"), bad.err());
            assertTrue(bad.err().contains("\n1 error"), bad.err());
        }
    }

    @Test
    void reloadNeedsATarget() {
        Run r = cli("reload");
        assertEquals(2, r.exit());
    }

    @Test
    void formatting() {
        assertEquals("1 minute, 15 seconds ago", ShowCommand.ago(Duration.ofSeconds(75)));
        assertEquals("1 day, 1 second ago", ShowCommand.ago(Duration.ofSeconds(86401)));
        assertEquals("Now", ShowCommand.ago(Duration.ZERO));
        assertEquals("1023 B", ShowCommand.bytes(1023));
        assertEquals("2.00 KiB", ShowCommand.bytes(2048));
        assertEquals("1.50 GiB", ShowCommand.bytes(3L << 29));
        assertEquals("10.00 Mbit/s", ShowCommand.bits(10_000_000));
        assertEquals(Duration.ofMillis(500), ShowCommand.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(2), ShowCommand.parseDuration("2"));
    }
}
