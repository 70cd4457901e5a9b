package io.switchyard.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.ConfigWriter;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.control.ControlServer;
import io.switchyard.control.PeerSnapshot;
import io.switchyard.control.Uapi;
import io.switchyard.control.UapiClient;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.Wg;
import io.switchyard.io.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against the reference implementation: the same {@code wg set} /
 * {@code wg syncconf} commands and the same raw bad requests go to a real wireguard-go (in a
 * network namespace of its own, its TUN device left down so nothing is sent) and to our
 * {@link ControlServer}; afterwards {@code wg showconf} must describe the same peers, and the
 * errnos must be equal. Needs root (namespaces, /var/run/wireguard); CI runs as root.
 */
class WireguardGoDifferentialTest {
    private static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");

    private String ns;
    private String goName;
    private String ourName;
    private Process wireguardGo;
    private ControlServer server;
    private MemoryTarget target;
    private final Key32 priv = MemoryTarget.newPrivateKey();

    @BeforeEach
    void start() throws Exception {
        String why = Wg.unavailable();
        Prerequisites.require(why);
        Prerequisites.require(Files.isExecutable(WIREGUARD_GO), WIREGUARD_GO + " is not installed");
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        ns = "sy-ctl-" + id;
        goName = "sg" + id;
        ourName = "so" + id;
        int rc = new ProcessBuilder("ip", "netns", "add", ns).inheritIO().start().waitFor();
        Prerequisites.require(rc == 0, "cannot create a network namespace (ip netns add: " + rc + ")");
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", ns, WIREGUARD_GO.toString(), "-f", goName)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // wireguard-go on a kernel with the module asks for this before it runs in userspace
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        wireguardGo = pb.start();
        Path sock = Wg.socketOf(goName);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // a hang guard
        while (!Files.exists(sock)) {
            if (!wireguardGo.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("wireguard-go did not create " + sock + " (alive=" + wireguardGo.isAlive() + ")");
            }
            Thread.sleep(20);
        }
        target = new MemoryTarget(MemoryTarget.config(ourName, priv, List.of()));
        server = ControlServer.start(Wg.socketOf(ourName), target);
        Path key = Files.createTempFile("sy-priv", ".key");
        try {
            Files.writeString(key, priv.toBase64() + "\n");
            both("set", "%s", "private-key", key.toString());
        } finally {
            Files.delete(key);
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (wireguardGo != null) {
            wireguardGo.destroy();
            if (!wireguardGo.waitFor(10, TimeUnit.SECONDS)) {
                wireguardGo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (ns != null) {
            new ProcessBuilder("ip", "netns", "del", ns).inheritIO().start().waitFor();
        }
        if (goName != null) {
            Files.deleteIfExists(Wg.socketOf(goName));
            Files.deleteIfExists(Wg.socketOf(ourName));
        }
    }

    /** Runs {@code wg ARGS} on both, {@code %s} standing for the interface name; both must agree on success. */
    private void both(String... args) throws Exception {
        Wg.Result go = Wg.run(substitute(args, goName));
        Wg.Result ours = Wg.run(substitute(args, ourName));
        assertEquals(go.exit(), ours.exit(), "exit of wg " + String.join(" ", args) + ": go said " + go.err() + ", we said " + ours.err());
        assertEquals(go.err().replace(goName, "IF"), ours.err().replace(ourName, "IF"), "wg's message");
    }

    private static String[] substitute(String[] args, String name) {
        String[] a = args.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].replace("%s", name);
        }
        return a;
    }

    /** What {@code wg showconf} says about the peers, order-free (wireguard-go's peer order is a map's). */
    private static Map<Key32, String> peers(String name) throws Exception {
        String text = Wg.run("showconf", name).requireOk().out();
        Config c = ConfigParser.parse(name + ".conf", text, Path.of("/")).config();
        Map<Key32, String> m = new TreeMap<>((x, y) -> x.toBase64().compareTo(y.toBase64()));
        for (PeerConfig p : c.peers()) {
            m.put(p.publicKey(), "psk=" + p.presharedKey().map(Key32::toBase64).orElse("-") + " allowed="
                    + p.allowedIps().stream().map(Object::toString).sorted().collect(Collectors.joining(","))
                    + " endpoint=" + p.endpoint().map(Object::toString).orElse("-") + " keepalive=" + p.persistentKeepalive());
        }
        return m;
    }

    private void assertSamePeers(String step) throws Exception {
        assertEquals(peers(goName), peers(ourName), step);
    }

    @Test
    void theSameCommandsLeaveTheSamePeers(@TempDir Path dir) throws Exception {
        String a = MemoryTarget.randomPublic().toBase64();
        String b = MemoryTarget.randomPublic().toBase64();
        String c = MemoryTarget.randomPublic().toBase64();
        both("set", "%s", "peer", a, "allowed-ips", "10.0.0.0/24,fd00::/64", "endpoint", "192.0.2.1:51820",
                "persistent-keepalive", "25");
        assertSamePeers("add A");
        both("set", "%s", "peer", b, "allowed-ips", "10.0.0.0/24,10.0.1.7/32", "endpoint", "[2001:db8::2]:4444");
        assertSamePeers("B takes 10.0.0.0/24 from A");
        both("set", "%s", "peer", a, "allowed-ips", "10.9.0.0/16", "persistent-keepalive", "off");
        assertSamePeers("A's allowed IPs replaced, keepalive off");
        Path psk = dir.resolve("psk");
        Files.writeString(psk, MemoryTarget.newPrivateKey().toBase64() + "\n");
        both("set", "%s", "peer", c, "preshared-key", psk.toString(), "allowed-ips", "10.0.1.7/32");
        assertSamePeers("C with a psk takes B's /32");
        both("set", "%s", "peer", c, "preshared-key", "/dev/null");
        assertSamePeers("C's psk cleared");
        both("set", "%s", "peer", b, "remove");
        assertSamePeers("B removed");
        both("set", "%s", "peer", MemoryTarget.publicOf(priv).toBase64(), "allowed-ips", "10.77.0.0/16");
        assertSamePeers("the interface's own key is not a peer");

        Config file = MemoryTarget.config("x", priv, List.of(MemoryTarget.peer(Key32.fromBase64(a), "10.1.0.0/16"),
                MemoryTarget.peer(MemoryTarget.randomPublic(), "10.2.0.0/16", "fd02::/64")));
        Path conf = dir.resolve("x.conf");
        ConfigWriter.write(file, conf);
        // our canonical form without a [Switchyard] section is a file wg reads
        both("syncconf", "%s", conf.toString());
        assertSamePeers("syncconf");
        both("setconf", "%s", conf.toString());
        assertSamePeers("setconf");
        assertEquals(2, target.config().peers().size());
    }

    @Test
    void badRequestsGetTheSameErrno() throws Exception {
        String pk = Uapi.hex(MemoryTarget.randomPublic());
        List<String> requests = List.of(
                "set=1\nlisten_port=99999\n\n",
                "set=1\nlisten_port=abc\n\n",
                "set=1\nfwmark=-1\n\n",
                "set=1\nno equals sign\n\n",
                "set=1\nbogus_key=1\n\n",
                "set=1\nreplace_peers=false\n\n",
                "set=1\nprivate_key=123\n\n",
                "set=1\npublic_key=xyz\n\n",
                "set=1\npublic_key=" + pk + "\nallowed_ip=10.0.0.1\n\n",
                "set=1\npublic_key=" + pk + "\nallowed_ip=10.0.0.0/33\n\n",
                "set=1\npublic_key=" + pk + "\nendpoint=nowhere\n\n",
                "set=1\npublic_key=" + pk + "\npersistent_keepalive_interval=65536\n\n",
                "set=1\npublic_key=" + pk + "\nprotocol_version=2\n\n",
                "set=1\npublic_key=" + pk + "\nremove=yes\n\n",
                "set=1\npublic_key=" + pk + "\nlisten_port=1\n\n",
                "set=1\npublic_key=" + pk + "\nupdate_only=true\n\n",
                "set=1\nfwmark=0\n\n",
                "get=1\n\n");
        List<String> differences = new ArrayList<>();
        for (String r : requests) {
            int go = UapiClient.request(Wg.socketOf(goName), r).errno();
            int ours = UapiClient.request(Wg.socketOf(ourName), r).errno();
            if (go != ours) {
                differences.add(r.replace("\n", "\\n") + " go=" + go + " ours=" + ours);
            }
        }
        assertEquals(List.of(), differences);
        // the one documented difference: wireguard-go applies lines as it reads them, so a request
        // that creates a peer and then fails leaves the peer behind; ours changes nothing
        assertEquals(Map.of(), peers(ourName));
        assertEquals(Set.of(Key32.fromBase64(java.util.Base64.getEncoder().encodeToString(HexFormat.of().parseHex(pk)))),
                peers(goName).keySet(), "wireguard-go kept the peer of the half-applied requests");
    }

    @Test
    void switchyardShowFallsBackToPlainGetOnWireguardGo() throws Exception {
        String a = MemoryTarget.randomPublic().toBase64();
        both("set", "%s", "peer", a, "allowed-ips", "10.0.0.0/24");
        UapiClient.Status s = UapiClient.status(Wg.socketOf(goName));
        assertTrue(!s.extended(), "wireguard-go does not know switchyard-get");
        assertEquals(Set.of(Key32.fromBase64(a)), s.snapshot().peers().stream().map(PeerSnapshot::publicKey).collect(Collectors.toSet()));
        assertEquals(MemoryTarget.publicOf(priv), s.publicKey().orElseThrow());
        org.junit.jupiter.api.Assertions.assertThrows(UapiClient.NoReplyException.class,
                () -> UapiClient.request(Wg.socketOf(goName), "switchyard-reload=1\n\n"));
        UapiClient.Status ours = UapiClient.status(Wg.socketOf(ourName));
        assertTrue(ours.extended());
        assertEquals(s.snapshot().peers().get(0).allowedIps(), ours.snapshot().peers().get(0).allowedIps());
    }

}
