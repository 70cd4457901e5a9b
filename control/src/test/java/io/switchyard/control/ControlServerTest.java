package io.switchyard.control;

import static io.switchyard.control.testing.MemoryTarget.config;
import static io.switchyard.control.testing.MemoryTarget.peer;
import static io.switchyard.control.testing.MemoryTarget.randomPublic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.ConfigWriter;
import io.switchyard.config.Endpoint;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.Wg;
import io.switchyard.io.testing.Prerequisites;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket against the real {@code wg} binary, over an in-memory target. {@code wg}
 * only looks in /var/run/wireguard, so these tests need to write there (root; CI runs as root).
 */
class ControlServerTest {
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private String name;
    private MemoryTarget target;
    private final Key32 priv = MemoryTarget.newPrivateKey();
    private final Key32 peerA = randomPublic();
    private final Key32 peerB = randomPublic();

    @BeforeEach
    void setUp() {
        name = Wg.uniqueName();
        var a = new PeerConfig(peerA, Optional.empty(), Optional.empty(),
                List.of(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("fd00::2/128")),
                Optional.of(new Endpoint("192.0.2.7", 51820)), 25);
        target = new MemoryTarget(config(name, priv, List.of(a, peer(peerB, "10.0.1.0/24"))));
        target.boundPort = 40123;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        Files.deleteIfExists(Wg.socketOf(name));
    }

    private ControlServer startInWgDir() throws IOException {
        String why = Wg.unavailable();
        Prerequisites.require(why);
        ControlServer s = ControlServer.start(Wg.socketOf(name), target);
        cleanup.add(s);
        return s;
    }

    @Test
    void wgShowPrintsPeersEndpointsHandshakesAndTransfer() throws Exception {
        target.stats = c -> new ControlSnapshot(40123, 0, 0, 0, 0, 0, 0, Map.of(), List.of(), List.of(
                new PeerSnapshot(peerA, Optional.of(new InetSocketAddress("127.0.0.1", 5555)),
                        Optional.of(Instant.now().minusSeconds(30)), 10, 2048, 12, 4096, List.of(), 25, Map.of())));
        startInWgDir();
        String out = Wg.run("show", name).requireOk().out();
        assertTrue(out.contains("interface: " + name), out);
        assertTrue(out.contains("public key: " + MemoryTarget.publicOf(priv)), out);
        assertTrue(out.contains("listening port: 40123"), out);
        assertTrue(out.contains("peer: " + peerA), out);
        assertTrue(out.contains("endpoint: 127.0.0.1:5555"), "the learned endpoint wins: " + out);
        assertTrue(out.contains("allowed ips: 10.0.0.2/32, fd00::2/128"), out);
        // wg counts from time(2), the kernel's coarse clock, which can trail Instant.now() by a
        // tick: just after a second boundary it reads the second before, and says 29 (seen in CI)
        assertTrue(out.contains("latest handshake: 29 seconds ago") || out.contains("latest handshake: 30 seconds ago")
                || out.contains("latest handshake: 31 seconds ago"), out);
        assertTrue(out.contains("transfer: 2.00 KiB received, 4.00 KiB sent"), out);
        assertTrue(out.contains("persistent keepalive: every 25 seconds"), out);
        assertTrue(out.contains("peer: " + peerB), out);
        assertTrue(out.contains("allowed ips: 10.0.1.0/24"), out);

        assertEquals(peerA + "\t127.0.0.1:5555\n" + peerB + "\t(none)\n", Wg.run("show", name, "endpoints").requireOk().out());
        assertTrue(Wg.run("show", "interfaces").requireOk().out().contains(name));
    }

    @Test
    void wgShowconfPrintsAFileOurParserReadsBackAsTheRunningConfig() throws Exception {
        startInWgDir();
        String text = Wg.run("showconf", name).requireOk().out();
        Config parsed = ConfigParser.parse(name + ".conf", text, Path.of("/")).config();
        // showconf prints the bound port; everything else must be what runs
        Config running = target.config();
        assertEquals(40123, parsed.iface().listenPort());
        assertEquals(running.iface().privateKey(), parsed.iface().privateKey());
        assertEquals(running.peers(), parsed.peers());
    }

    @Test
    void wgSetAddsChangesAndRemovesPeers() throws Exception {
        startInWgDir();
        Key32 c = randomPublic();
        Wg.run("set", name, "peer", c.toBase64(), "allowed-ips", "10.0.2.0/24,fd00:2::/64",
                "endpoint", "[2001:db8::1]:7777", "persistent-keepalive", "15").requireOk();
        PeerConfig added = target.config().peer(c).orElseThrow();
        assertEquals(List.of(IpPrefix.parse("10.0.2.0/24"), IpPrefix.parse("fd00:2::/64")), added.allowedIps());
        assertEquals(Optional.of(new Endpoint("2001:db8::1", 7777)), added.endpoint());
        assertEquals(15, added.persistentKeepalive());
        assertEquals(1, target.applies.get());

        // `allowed-ips` replaces the list; the prefix 10.0.1.0/24 moves from B to A
        Wg.run("set", name, "peer", peerA.toBase64(), "allowed-ips", "10.0.1.0/24").requireOk();
        assertEquals(List.of(IpPrefix.parse("10.0.1.0/24")), target.config().peer(peerA).orElseThrow().allowedIps());
        assertEquals(List.of(), target.config().peer(peerB).orElseThrow().allowedIps());
        assertEquals(25, target.config().peer(peerA).orElseThrow().persistentKeepalive(), "untouched fields kept");

        Wg.run("set", name, "peer", peerB.toBase64(), "remove").requireOk();
        assertTrue(target.config().peer(peerB).isEmpty());

        Path psk = Files.createTempFile("psk", ".key");
        try {
            Key32 secret = MemoryTarget.newPrivateKey();
            Files.writeString(psk, secret.toBase64() + "\n");
            Wg.run("set", name, "peer", c.toBase64(), "preshared-key", psk.toString()).requireOk();
            assertEquals(Optional.of(secret), target.config().peer(c).orElseThrow().presharedKey());
        } finally {
            Files.delete(psk);
        }
        Wg.run("set", name, "fwmark", "0x20").requireOk();
        assertEquals(0x20, target.config().iface().fwMark());
        assertTrue(Wg.run("show", name).requireOk().out().contains("fwmark: 0x20"));
    }

    @Test
    void wgSyncconfMakesTheRunningConfigEqualTheFile(@TempDir Path dir) throws Exception {
        startInWgDir();
        Key32 c = randomPublic();
        Config want = config(name, priv, List.of(
                peer(peerB, "10.0.1.0/25"),
                new PeerConfig(c, Optional.empty(), Optional.empty(), List.of(IpPrefix.parse("10.0.3.0/24")),
                        Optional.of(new Endpoint("198.51.100.4", 4444)), 0)));
        Path file = dir.resolve(name + ".conf");
        ConfigWriter.write(want, file);
        Wg.run("syncconf", name, file.toString()).requireOk();
        Config now = target.config();
        assertEquals(want.peersByKey(), now.peersByKey());
        assertEquals(want.iface(), now.iface());
        // syncconf against an identical file sends no change at all
        int applies = target.applies.get();
        Wg.run("syncconf", name, file.toString()).requireOk();
        assertEquals(applies, target.applies.get());
    }

    @Test
    void aRefusedConfigurationIsReportedByWgAndChangesNothing() throws Exception {
        startInWgDir();
        Config before = target.config();
        target.gate = c -> {
            throw new IllegalArgumentException("no thanks");
        };
        var r = Wg.run("set", name, "peer", randomPublic().toBase64(), "allowed-ips", "10.9.0.0/16");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Invalid argument"), r.err());
        assertEquals(before, target.config());
    }

    @Test
    void socketIsModeSixHundredAndRemovedOnClose() throws Exception {
        ControlServer s = startInWgDir();
        Path p = Wg.socketOf(name);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        try (var dir = Files.list(Wg.SOCKET_DIR)) {
            assertTrue(dir.noneMatch(f -> f.getFileName().toString().startsWith(".sy-")), "no temporary left behind");
        }
        s.close();
        assertFalse(Files.exists(p));
        var r = Wg.run("show", name);
        assertNotEquals(0, r.exit());
    }

    @Test
    void staleSocketIsReplacedLiveOneAndOtherFilesAreNot(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("x.sock");
        // a socket file with nobody listening: what a crashed process leaves
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        try (ControlServer s = ControlServer.start(path, target)) {
            assertEquals("0", ask(path, "get=1\n\n").lines().filter(l -> l.startsWith("errno=")).findFirst()
                    .orElseThrow().substring(6));
            IOException e = assertThrows(FileAlreadyExistsException.class, () -> ControlServer.start(path, target));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
            assertEquals(1, s.requests());
        }
        Path file = dir.resolve("y.sock");
        Files.writeString(file, "precious");
        assertThrows(FileAlreadyExistsException.class, () -> ControlServer.start(file, target));
        assertEquals("precious", Files.readString(file));
    }

    @Test
    void closeEndsOpenConnections(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("c.sock");
        ControlServer s = ControlServer.start(path, target);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            InputStream in = Channels.newInputStream(ch);
            ch.write(java.nio.ByteBuffer.wrap("get=1\n\n".getBytes(StandardCharsets.US_ASCII)));
            byte[] buf = new byte[65536];
            int n = 0;
            while (!new String(buf, 0, n, StandardCharsets.US_ASCII).endsWith("errno=0\n\n")) {
                n += in.read(buf, n, buf.length - n);
            }
            s.close();
            assertEquals(-1, in.read(), "the server closed the idle connection");
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void oneConnectionServesSeveralRequestsAndBadOnesGetErrnos(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("m.sock");
        try (ControlServer s = ControlServer.start(path, target);
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            InputStream in = Channels.newInputStream(ch);
            OutputStream out = Channels.newOutputStream(ch);
            assertTrue(exchange(in, out, "get=1\n\n").endsWith("errno=0\n\n"));
            assertEquals("errno=-22\n\n", exchange(in, out, "set=1\nlisten_port=99999\n\n"));
            assertEquals("errno=-71\n\n", exchange(in, out, "set=1\njunk\n\n"));
            assertEquals("errno=0\n\n", exchange(in, out, "set=1\nfwmark=7\n\n"));
            assertEquals(7, target.config().iface().fwMark());
            String reload = exchange(in, out, "switchyard-reload=1\n\n");
            assertEquals("message=this hub was not started from a configuration file\nerrno=-95\n\n", reload);
            assertEquals(5, s.requests());
            assertEquals(3, s.errors());
            // an unknown operation ends the connection without a reply, as in wireguard-go
            out.write("frobnicate=1\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void overlongLinesAndRequestsAreRefused(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("o.sock");
        try (ControlServer s = ControlServer.start(path, target)) {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                InputStream in = Channels.newInputStream(ch);
                OutputStream out = Channels.newOutputStream(ch);
                String reply = exchange(in, out, "set=1\nallowed_ip=" + "1".repeat(ControlServer.MAX_LINE) + "\n\n");
                assertEquals("errno=-90\n\n", reply);
                assertEquals(-1, in.read(), "disconnected after an oversize line");
            }
            assertEquals(1, s.errors());
            // the server still serves others
            assertTrue(ask(path, "get=1\n\n").endsWith("errno=0\n\n"));
        }
    }

    @Test
    void concurrentWgSetsLoseNoUpdate() throws Exception {
        startInWgDir();
        List<Key32> keys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            keys.add(randomPublic());
        }
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Future<Wg.Result>> results = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String args = "10.1." + i + ".0/24";
                Key32 k = keys.get(i);
                results.add(pool.submit((Callable<Wg.Result>) () -> Wg.run("set", name, "peer", k.toBase64(), "allowed-ips", args)));
            }
            for (var f : results) {
                f.get().requireOk();
            }
        }
        for (Key32 k : keys) {
            assertTrue(target.config().peer(k).isPresent(), "peer " + k + " kept");
        }
        assertEquals(10, target.config().peers().size());
    }

    @Test
    void connectionsBeyondTheCapAreClosedAtOnce(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("cap.sock");
        List<SocketChannel> held = new ArrayList<>();
        try (ControlServer s = ControlServer.start(path, target)) {
            for (int i = 0; i < ControlServer.MAX_CONNECTIONS; i++) {
                held.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            // one more: accepted by the kernel, closed by the server without a reply
            assertEquals("", askOrClosed(path, "get=1\n\n"));
            assertEquals(1, s.refusedConnections());
            // a slot frees when a client leaves (the server notices its end of stream)
            held.remove(0).close();
            String reply = "";
            for (int i = 0; i < 1000 && reply.isEmpty(); i++) { // a hang guard, not a timing
                reply = askOrClosed(path, "get=1\n\n");
                Thread.sleep(10);
            }
            assertTrue(reply.endsWith("errno=0\n\n"), reply);
        } finally {
            for (SocketChannel ch : held) {
                ch.close();
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheTimeout(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("idle.sock");
        try (ControlServer s = ControlServer.start(path, target, java.time.Duration.ofMillis(200))) {
            List<SocketChannel> idle = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                idle.add(SocketChannel.open(UnixDomainSocketAddress.of(path)));
            }
            // one that sent half a request and then nothing
            idle.get(2).write(java.nio.ByteBuffer.wrap("set=1\nfwmark=1\n".getBytes(StandardCharsets.US_ASCII)));
            for (SocketChannel ch : idle) {
                assertEquals(-1, Channels.newInputStream(ch).read(), "closed by the server");
                ch.close();
            }
            assertEquals(3, s.idleClosed());
            assertEquals(0, target.config().iface().fwMark(), "the half request was not applied");
        }
    }

    @Test
    void aSlowButActiveClientIsNotCutOff(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("slow.sock");
        try (ControlServer s = ControlServer.start(path, target, java.time.Duration.ofSeconds(2));
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            OutputStream out = Channels.newOutputStream(ch);
            // a request trickled over about 3 s, longer than the timeout, with short gaps
            String request = "set=1\nfwmark=9\npublic_key=" + Uapi.hex(peerA) + "\nallowed_ip=10.7.0.0/16\n\n";
            int pieces = 20;
            int step = (request.length() + pieces - 1) / pieces;
            for (int i = 0; i < request.length(); i += step) {
                out.write(request.substring(i, Math.min(request.length(), i + step)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(150);
            }
            assertEquals("errno=0\n\n", exchange(Channels.newInputStream(ch), out, ""));
            assertEquals(9, target.config().iface().fwMark());
            assertEquals(0, s.idleClosed());
        }
    }

    /** Sends a request and reads until the reply's blank line. */
    static String exchange(InputStream in, OutputStream out, String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        StringBuilder sb = new StringBuilder();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return sb.toString();
            }
            sb.append((char) b);
            if (b == '\n' && prev == '\n') {
                return sb.toString();
            }
            prev = b;
        }
    }

    /**
     * {@link #ask}, with a connection the server closed (reset, end of stream, or a write after
     * its close: a unix socket reports that as a plain IOException "Broken pipe") as "".
     */
    static String askOrClosed(Path socket, String request) throws IOException {
        try {
            return ask(socket, request);
        } catch (java.net.SocketException e) {
            return "";
        } catch (IOException e) {
            if ("Broken pipe".equals(e.getMessage())) {
                return "";
            }
            throw e;
        }
    }

    static String ask(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return exchange(Channels.newInputStream(ch), Channels.newOutputStream(ch), request);
        }
    }
}
