package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Key32;
import io.switchyard.io.testing.Commands;
import io.switchyard.router.client.WireGuardClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's client-mode interop test: our {@link WireGuardClient} (in a namespace of its own,
 * entered with {@code setns(2)} so its socket lives there) handshakes with a stock wireguard-go
 * peer in another namespace, and exchanges inner UDP datagrams with a {@code socat} echo server
 * listening on the peer's tunnel address. The kernel behind wireguard-go's TUN checks our IPv4
 * and UDP checksums and socat echoes only what it received intact, so an echo that matches
 * proves both directions of the tunnel and our inner headers. Needs root, iproute2,
 * wireguard-go, wireguard-tools and socat (CI installs them); skips, saying why, otherwise (fails under CI=true).
 */
class ClientInteropTest {
    private static final Path SOCAT = Path.of("/usr/bin/socat");
    private static final int PEER_PORT = 51820;
    private static final int ECHO_PORT = 7000;
    private static final byte[] PEER_OVERLAY = {10, 98, 0, 1};
    private static final byte[] CLIENT_OVERLAY = {10, 98, 0, 2};

    @Test
    void ourClientTalksUdpThroughAStockWireguardGoPeer() throws Exception {
        Netns.requireOrSkip(Files.isExecutable(SOCAT) ? null : SOCAT + " is not installed");
        Netns.requireInteropPossible();

        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        List<AutoCloseable> cleanup = new ArrayList<>();
        Process wireguardGo = null;
        Process socat = null;
        String ifname = "wgp" + id;
        try {
            Netns peerNs = Netns.createOrSkip(Netns.PREFIX + id + "-p");
            cleanup.add(peerNs);
            Netns clientNs = Netns.create(Netns.PREFIX + id + "-k");
            cleanup.add(clientNs);
            peerNs.link("p" + id, "10.201.0.1/24", clientNs, "k" + id, "10.201.0.2/24");

            String peerPrivate = WgGoClient.wgGenkey();
            Key32 peerPublic = Key32.fromBase64(WgGoClient.wgPubkey(peerPrivate));
            String clientPrivate = WgGoClient.wgGenkey();
            String clientPublic = WgGoClient.wgPubkey(clientPrivate);

            ProcessBuilder pb = peerNs.process(WgGoClient.WIREGUARD_GO.toString(), "-f", ifname)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
            wireguardGo = pb.start();
            Path socket = WgGoClient.SOCKET_DIR.resolve(ifname + ".sock");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
            while (!Files.exists(socket)) {
                assertTrue(wireguardGo.isAlive() && System.nanoTime() < deadline, "wireguard-go did not start");
                Thread.sleep(20);
            }
            Path key = Files.createTempFile("syit-key", ".txt",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(key, peerPrivate + "\n");
                // No endpoint: the peer learns ours from our handshake initiation, as a server would.
                Commands.Result r = Netns.run(WgGoClient.WG.toString(), "set", ifname, "private-key", key.toString(),
                        "listen-port", Integer.toString(PEER_PORT), "peer", clientPublic, "allowed-ips", "10.98.0.2/32");
                assertEquals(0, r.exit(), r.out());
            } finally {
                Files.deleteIfExists(key);
            }
            peerNs.must("ip", "addr", "add", "10.98.0.1/24", "dev", ifname);
            peerNs.must("ip", "link", "set", ifname, "up");

            // An echo server on the tunnel address; no fork: it serves the first client (us) and exits with its process.
            socat = peerNs.process(SOCAT.toString(), "-T", "30",
                    "UDP4-LISTEN:" + ECHO_PORT + ",bind=10.98.0.1", "PIPE").start();
            awaitUdpListener(peerNs);

            Key32 ours = Key32.fromBase64(clientPrivate);
            InetSocketAddress peerAt = new InetSocketAddress("10.201.0.1", PEER_PORT);
            clientNs.inside(() -> {
                try (WireGuardClient client = WireGuardClient.open(ours, peerPublic, peerAt, CLIENT_OVERLAY)) {
                    assertEquals(clientPublic, client.publicKey().toBase64(), "same public key as wg pubkey");
                    client.handshake(Duration.ofSeconds(20));

                    List<byte[]> echoed = new ArrayList<>();
                    List<Integer> ports = new ArrayList<>();
                    WireGuardClient.Receiver collect = (buf, off, len, src, dst) -> {
                        byte[] p = new byte[len];
                        buf.get(off, p);
                        echoed.add(p);
                        ports.add(src);
                        ports.add(dst);
                    };
                    // Small datagrams one at a time (UDP may drop under a burst; echo must not lose
                    // any sent one after another with a wait between).
                    for (int i = 0; i < 20; i++) {
                        byte[] payload = ("ping " + i).getBytes(StandardCharsets.US_ASCII);
                        int want = echoed.size() + 1;
                        assertTrue(client.send(PEER_OVERLAY, 5000, ECHO_PORT, payload));
                        pollUntil(client, collect, () -> echoed.size() >= want, "echo " + i);
                        assertArrayEquals(payload, echoed.get(i), "echo " + i + " intact");
                        assertEquals(ECHO_PORT, ports.get(2 * i), "from the echo port");
                        assertEquals(5000, ports.get(2 * i + 1), "to our source port");
                    }
                    // A full-size datagram: the largest inner packet our 1,420-byte MTU allows.
                    byte[] big = new byte[WireGuardClient.MAX_INNER - 28];
                    new Random(9).nextBytes(big);
                    assertTrue(client.send(PEER_OVERLAY, 5000, ECHO_PORT, big));
                    pollUntil(client, collect, () -> echoed.size() >= 21, "full-size echo");
                    assertArrayEquals(big, echoed.get(20), "full-size echo intact");

                    WireGuardClient.Stats s = client.stats();
                    assertTrue(s.sentPackets() >= 21, s.toString());
                    assertTrue(s.receivedPackets() >= 21, s.toString());
                    assertEquals(0, s.dropped(), s.toString());
                }
                return null;
            });

            // The stock peer agrees: it has a handshake with us and counted traffic both ways.
            String dump = Netns.run(WgGoClient.WG.toString(), "show", ifname, "dump").out();
            String[] fields = dump.strip().split("\n")[1].split("\t");
            assertEquals(clientPublic, fields[0], dump);
            assertTrue(Long.parseLong(fields[4]) > 0, "latest handshake on the wireguard-go side: " + dump);
            assertTrue(Long.parseLong(fields[5]) > 0 && Long.parseLong(fields[6]) > 0, "rx and tx: " + dump);
        } finally {
            stop(socat);
            stop(wireguardGo);
            Files.deleteIfExists(WgGoClient.SOCKET_DIR.resolve(ifname + ".sock"));
            for (int i = cleanup.size() - 1; i >= 0; i--) {
                cleanup.get(i).close();
            }
        }
    }

    private static void pollUntil(WireGuardClient client, WireGuardClient.Receiver receiver,
            java.util.function.BooleanSupplier done, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos(); // hang guard
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " never arrived: " + client.stats());
            if (client.poll(receiver) == 0) {
                Thread.sleep(1);
            }
        }
    }

    /** Waits until socat's UDP socket is bound (ss lists it), so the first datagram is not lost. */
    private static void awaitUdpListener(Netns ns) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos(); // hang guard
        while (!ns.exec("ss", "-uln").out().contains(":" + ECHO_PORT)) {
            assertTrue(System.nanoTime() < deadline, "socat never listened");
            Thread.sleep(20);
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
