package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.switchyard.config.Key32;
import io.switchyard.router.Hub;
import io.switchyard.router.HubEvent;
import io.switchyard.wireguard.Keys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code switchyard up}: starts from a file, reports status, reloads, stops cleanly; bad files stop it with file:line. */
class UpCommandTest {
    private static String conf(Path dir, String extraPeer) {
        String peer = Keys.toBase64(Keys.publicKey(Keys.generatePrivateKey()));
        return "[Interface]\nPrivateKey = " + Keys.toBase64(Keys.generatePrivateKey()) + "\nListenPort = 0\n\n"
                + "[Switchyard]\nStatusInterval = 100ms\nControlSocket = " + dir.resolve("ctl.sock") + "\n\n"
                + "[Peer]\nPublicKey = " + peer + "\nAllowedIPs = 10.7.0.2/32\n" + extraPeer;
    }

    private static PrintStream stream(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    @Test
    void runsAHubFromAFileReportsStatusReloadsAndStops(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("up0.conf");
        Files.writeString(file, conf(dir, ""));
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(file.toString(), "--status-format=json", "--no-watch");
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return up.run(stream(out), stream(err));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
        Hub hub;
        while ((hub = up.hub()) == null || !out.toString(StandardCharsets.UTF_8).contains("\"rxPackets\"")) {
            assertTrue(System.nanoTime() < deadline && !exit.isDone(), "no status line: " + err);
            Thread.sleep(20);
        }
        // a datagram that is no WireGuard message: received and dropped as malformed
        int port = hub.localAddress().getPort();
        try (DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress("127.0.0.1", port)));
        }
        while (!out.toString(StandardCharsets.UTF_8).contains("\"MALFORMED\":1")) {
            assertTrue(System.nanoTime() < deadline, "malformed datagram not counted: " + out);
            Thread.sleep(20);
        }
        assertTrue(Files.exists(dir.resolve("ctl.sock")), "control socket opened");

        String second = "\n[Peer]\nPublicKey = " + Keys.toBase64(Keys.publicKey(Keys.generatePrivateKey()))
                + "\nAllowedIPs = 10.7.0.3/32\n";
        String text = Files.readString(file) + second;
        Files.writeString(file, text);
        up.reloadNow();
        assertEquals(2, hub.config().peers().size(), err.toString());

        Files.writeString(file, text + "\n[Peer]\nPublicKey = nonsense\n");
        up.reloadNow();
        assertEquals(2, hub.config().peers().size(), "a broken file changes nothing");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("up0.conf:"), err.toString());

        up.stop();
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("stopped"), err.toString());
        assertTrue(!Files.exists(dir.resolve("ctl.sock")), "control socket removed on stop");
    }

    @Test
    void aBrokenFileNamesFileAndLineAndDoesNotStart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "[Interface]\nPrivateKey = short\nListenPort = 99999\n");
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(file.toString());
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        assertEquals(1, up.run(stream(out), stream(err)));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("bad.conf:2:"), e);
        assertTrue(e.contains("bad.conf:3:"), "every problem, not just the first: " + e);
        assertTrue(e.contains("not started"), e);
        assertNotNull(e);
    }

    @Test
    void anInterfaceNameMeansItsFileInTheConfigDirectoryAsWithWgQuick(@TempDir Path dir) throws Exception {
        Path saved = UpCommand.configDir;
        UpCommand.configDir = dir;
        try {
            Path conf = dir.resolve("wgt0.conf");
            Files.writeString(conf, "[Interface]\nPrivateKey = short\n");
            assertEquals(conf, UpCommand.resolve(Path.of("wgt0")));
            assertEquals(conf, UpCommand.resolve(conf), "a path that exists is itself");
            assertEquals(Path.of("./wgt0.conf"), UpCommand.resolve(Path.of("./wgt0.conf")), "a path is never a name");
            assertEquals(Path.of("a-name-longer-than-15"), UpCommand.resolve(Path.of("a-name-longer-than-15")));
            UpCommand up = new UpCommand();
            new CommandLine(up).parseArgs("wgt0");
            var err = new ByteArrayOutputStream();
            assertEquals(1, up.run(stream(new ByteArrayOutputStream()), stream(err)));
            String e = err.toString(StandardCharsets.UTF_8);
            assertTrue(e.contains(conf + ":2:"), "the problems name the file it found: " + e);
            new CommandLine(up).parseArgs("wgt1");
            assertEquals(1, up.run(stream(new ByteArrayOutputStream()), stream(err)));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains(dir.resolve("wgt1.conf").toString()),
                    "a name without a file says where it looked: " + err);
        } finally {
            UpCommand.configDir = saved;
        }
    }

    @Test
    void eventLinesSayPeersUpDownAndRoamingAndHandshakesOnlyWhenAsked() throws Exception {
        Key32 k = Key32.of(Keys.publicKey(Keys.generatePrivateKey()));
        String key = k.toBase64();
        Instant t = Instant.EPOCH;
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51820);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000);
        var peers = UpCommand.EventLines.peers;
        assertEquals("switchyard: peer " + key + " up, endpoint 192.0.2.7:51820",
                UpCommand.describe(new HubEvent.PeerUp(t, k, v4), peers));
        assertEquals("switchyard: peer " + key + " roamed from 192.0.2.7:51820 to [2001:db8::7]:40000",
                UpCommand.describe(new HubEvent.EndpointChanged(t, k, v4, v6), peers));
        assertEquals("switchyard: peer " + key + " roamed from none to 192.0.2.7:51820",
                UpCommand.describe(new HubEvent.EndpointChanged(t, k, null, v4), peers));
        assertEquals("switchyard: peer " + key + " down (no handshake for 180 s)",
                UpCommand.describe(new HubEvent.PeerDown(t, k, HubEvent.PeerDown.Cause.SESSION_EXPIRED), peers));
        assertEquals("switchyard: peer " + key + " down (removed)",
                UpCommand.describe(new HubEvent.PeerDown(t, k, HubEvent.PeerDown.Cause.REMOVED), peers));
        HubEvent hs = new HubEvent.HandshakeCompleted(t, k, v6);
        assertNull(UpCommand.describe(hs, peers), "a handshake every two minutes per peer is not a line by default");
        assertEquals("switchyard: peer " + key + " handshake completed, endpoint [2001:db8::7]:40000",
                UpCommand.describe(hs, UpCommand.EventLines.handshakes));
        assertNull(UpCommand.describe(new HubEvent.Drops(t, Optional.of(k), Map.of()), UpCommand.EventLines.handshakes));
        assertNull(UpCommand.describe(new HubEvent.PeerAdded(t, k), peers), "100,000 peers at start are not 100,000 lines");
    }

    /** An {@code up} running on another thread, with its streams captured. */
    private record Running(UpCommand up, CompletableFuture<Integer> exit, ByteArrayOutputStream out,
                           ByteArrayOutputStream err, Hub hub) {
        String errText() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Starts {@code up} on {@code file} and waits for its first status line (reloads are wired by then). */
    private static Running start(UpCommand up, Path file) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        return start(up, file, out, err);
    }

    private static Running start(UpCommand up, Path file, ByteArrayOutputStream out, ByteArrayOutputStream err)
            throws Exception {
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
            try {
                return up.run(stream(out), stream(err));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Hub hub;
        while ((hub = up.hub()) == null || !out.toString(StandardCharsets.UTF_8).contains("status:")) {
            assertTrue(System.nanoTime() < deadline && !exit.isDone(), "no status line: " + err);
            Thread.sleep(20);
        }
        return new Running(up, exit, out, err, hub);
    }

    private static String addPeer(String text, String allowed) {
        return text + "\n[Peer]\nPublicKey = " + Keys.toBase64(Keys.publicKey(Keys.generatePrivateKey()))
                + "\nAllowedIPs = " + allowed + "\n";
    }

    /** Waits until the command has printed {@code text} (it prints after applying, so a moment later). */
    private static void awaitErr(Running r, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!r.errText().contains(text)) {
            assertTrue(System.nanoTime() < deadline, "no \"" + text + "\" in: " + r.errText());
            Thread.sleep(20);
        }
    }

    private static void awaitPeers(Running r, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (r.hub().config().peers().size() != n) {
            assertTrue(System.nanoTime() < deadline, "still " + r.hub().config().peers().size() + " peers: " + r.errText());
            Thread.sleep(20);
        }
    }

    /** Whether this JVM was started with SIGHUP ignored (nohup): the JVM then never delivers it. */
    private static boolean sighupIgnored() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & 1) != 0; // bit 0: signal 1, SIGHUP
            }
        }
        return false;
    }

    /**
     * A real SIGHUP, sent by {@code kill} from another process to this JVM, reloads the running
     * hub through the handler {@code up} installs (with --no-watch, so only the signal can). The
     * JVM's own handlers (SIGHUP would otherwise exit it) are put back afterwards.
     */
    @Test
    void sighupReloadsTheRunningHub(@TempDir Path dir) throws Exception {
        assumeFalse(sighupIgnored(), "SIGHUP is ignored in this JVM; the kernel would not deliver it");
        Path file = dir.resolve("hup0.conf");
        String text = conf(dir, "");
        Files.writeString(file, text);
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(file.toString(), "--no-watch");
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        up.installSignals(stream(err));
        try {
            Running r = start(up, file, out, err);
            assertEquals(1, r.hub().config().peers().size());
            Files.writeString(file, addPeer(text, "10.7.0.3/32"));
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
                    .inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -HUP");
            awaitPeers(r, 2);
            awaitErr(r, "switchyard: reloaded");
            up.stop();
            assertEquals(0, r.exit().get(30, TimeUnit.SECONDS));
        } finally {
            up.stop();
            up.restoreSignals();
        }
    }

    /** Without --no-watch, saving the file (write, then rename over it) reloads the running hub. */
    @Test
    void fileWatcherReloadsTheRunningHubWhenTheFileChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("watch0.conf");
        String text = conf(dir, "");
        Files.writeString(file, text);
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(file.toString());
        Running r = start(up, file);
        try {
            assertEquals(1, r.hub().config().peers().size());
            Path tmp = dir.resolve("watch0.conf.tmp");
            Files.writeString(tmp, addPeer(text, "10.7.0.3/32"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            awaitPeers(r, 2);
            awaitErr(r, "switchyard: reloaded");

            // An in-place save works too, and a broken one changes nothing.
            Files.writeString(file, addPeer(Files.readString(file), "10.7.0.4/32"));
            awaitPeers(r, 3);
            Files.writeString(file, Files.readString(file) + "\n[Peer]\nPublicKey = nonsense\n");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!r.errText().contains("refused")) {
                assertTrue(System.nanoTime() < deadline, "broken file not reported: " + r.errText());
                Thread.sleep(20);
            }
            assertEquals(3, r.hub().config().peers().size(), "a broken file changes nothing");
        } finally {
            up.stop();
        }
        assertEquals(0, r.exit().get(30, TimeUnit.SECONDS));
    }

    /** A reload that comes after the hub closed (a late SIGHUP) is reported, not thrown. */
    @Test
    void reloadAfterTheHubClosedIsReportedNotThrown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("late0.conf");
        String text = conf(dir, "");
        Files.writeString(file, text);
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(file.toString(), "--no-watch");
        Running r = start(up, file);
        up.stop();
        assertEquals(0, r.exit().get(30, TimeUnit.SECONDS));
        Files.writeString(file, addPeer(text, "10.7.0.3/32"));
        up.reloadNow();
        assertTrue(r.errText().contains("reload not applied"), r.errText());
    }
}
