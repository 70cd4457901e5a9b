package io.switchyard.router.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.router.Hub;
import io.switchyard.router.crypto.Keys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
