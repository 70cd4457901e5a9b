package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real command line as a user runs it: {@code switchyard up FILE --status-format=json} in
 * its own JVM under {@code ip netns exec} (this test's class path, which holds the router and
 * its dependencies), two stock wireguard-go clients in their namespaces, pings between them
 * through it. Its JSON status lines must count the forwarded pings, and SIGTERM must stop it
 * with exit status 0. Needs root, iproute2, wireguard-go, wireguard-tools and ping (CI
 * installs them); skips, saying why, otherwise (fails under CI=true).
 */
class CliUpInteropTest {
    private static final int PORT = 51820;
    private static final Pattern FORWARDED = Pattern.compile("\"forwarded\":(\\d+)");

    @Test
    void pingsGoThroughSwitchyardUpInANamespace(@TempDir Path dir) throws Exception {
        Netns.requireInteropPossible();

        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        List<AutoCloseable> cleanup = new ArrayList<>();
        Process up = null;
        List<String> status = new CopyOnWriteArrayList<>();
        Path stderr = dir.resolve("up.err");
        try {
            Netns hubNs = Netns.createOrSkip(Netns.PREFIX + id + "-u");
            cleanup.add(hubNs);
            String hubPrivate = WgGoClient.wgGenkey();
            String hubPublic = WgGoClient.wgPubkey(hubPrivate);
            List<WgGoClient> clients = new ArrayList<>();
            StringBuilder conf = new StringBuilder("[Interface]\nPrivateKey = " + hubPrivate + "\nListenPort = " + PORT
                    + "\n\n[Switchyard]\nStatusInterval = 1s\n");
            for (int i = 1; i <= 2; i++) {
                Netns ns = Netns.create(Netns.PREFIX + id + "-v" + i);
                cleanup.add(ns);
                hubNs.link("u" + id + i, "10.202." + i + ".1/24", ns, "v" + id + i, "10.202." + i + ".2/24");
                WgGoClient c = new WgGoClient(ns, "wgv" + id + i, WgGoClient.wgGenkey(), "10.97.0." + i);
                clients.add(c);
                cleanup.add(c);
                conf.append("\n[Peer]\nPublicKey = ").append(c.publicKey).append("\nAllowedIPs = ").append(c.overlay)
                        .append("/32\n");
            }
            Path file = dir.resolve("hub.conf");
            Files.writeString(file, conf);

            String java = ProcessHandle.current().info().command().orElseThrow();
            up = hubNs.process(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.switchyard.cli.Main", "up", file.toString(), "--status-format=json", "--no-watch")
                    .redirectErrorStream(false).redirectError(stderr.toFile()).start();
            Process hub = up;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(hub.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        status.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos(); // hang guard (JVM start)
            while (!hubNs.exec("ss", "-uln").out().contains(":" + PORT)) {
                assertTrue(up.isAlive(), "switchyard up exited: " + Files.readString(stderr));
                assertTrue(System.nanoTime() < deadline, "switchyard up never listened: " + Files.readString(stderr));
                Thread.sleep(50);
            }

            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).start(hubPublic, "10.202." + (i + 1) + ".1:" + PORT, "10.97.0.0/24");
            }
            // The first ping may wait for the handshake; -W 5 covers it, and every reply must come.
            assertEquals(5, clients.get(0).ping("10.97.0.2", 5, "-W", "5"), "c1 to c2 through switchyard up");
            assertEquals(5, clients.get(1).ping("10.97.0.1", 5, "-W", "5"), "c2 to c1 through switchyard up");

            // 20 echo requests and 20 replies crossed the hub; a later status line shows them.
            long seen = 0;
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
            while (seen < 20) {
                assertTrue(System.nanoTime() < deadline, "status lines never counted 20 forwarded: " + status);
                for (String line : status) {
                    Matcher m = FORWARDED.matcher(line);
                    if (m.find()) {
                        seen = Math.max(seen, Long.parseLong(m.group(1)));
                    }
                }
                Thread.sleep(100);
            }
            assertTrue(status.getLast().startsWith("{") && status.getLast().endsWith("}"), status.getLast());

            up.destroy(); // SIGTERM to the JVM: ip netns exec replaced itself with java
            assertTrue(up.waitFor(30, TimeUnit.SECONDS), "switchyard up did not stop on SIGTERM");
            assertEquals(0, up.exitValue(), Files.readString(stderr));
            String err = Files.readString(stderr);
            for (var c : clients) { // --events peers, the default: each client's first handshake is a line
                assertTrue(err.contains("switchyard: peer " + c.publicKey + " up, endpoint 10.202."), err);
            }
        } finally {
            if (up != null && up.isAlive()) {
                up.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
        }
    }
}
