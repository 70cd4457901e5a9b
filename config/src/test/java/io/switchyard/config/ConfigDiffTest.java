package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    static final String P = "O5qhQv76RKq4OrHAkJ9pKf1TZWuJXsL8DkfUEupiulQ=";
    static final String A = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=";
    static final String B = "PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0=";
    static final String C = "Ln0sA6lQeuJl7PW1NWiFpTOTogKdJBOUmXJloaJa78Y=";
    static final String S = "Iz7fpYyEhHcS6RFXJTOQfcRnccKvAizqB2a0ItRPMeU=";

    static Config parse(String text) throws ConfigException {
        return ConfigParser.parse("wg0.conf", text, Path.of(".")).config();
    }

    static final String BASE = """
            [Interface]
            PrivateKey = %s
            ListenPort = 51820
            [Peer]
            PublicKey = %s
            AllowedIPs = 10.0.0.2/32, 10.1.0.0/16
            Endpoint = 192.0.2.1:51820
            [Peer]
            PublicKey = %s
            AllowedIPs = 10.0.0.3/32
            """.formatted(P, A, B);

    @Test
    void identicalConfigsAndReorderingsAreEmpty() throws Exception {
        Config a = parse(BASE);
        ConfigDiff same = ConfigDiff.between(a, a);
        assertTrue(same.isEmpty());
        assertEquals(2, same.unchanged());
        assertFalse(same.requiresRestart());
        // peers reordered, AllowedIPs reordered, comments and case changed: nothing to do
        Config b = parse("""
                [interface]
                privatekey = %s   # same key
                listenport = 51820
                """.formatted(P) + """
                [Peer]
                PublicKey = %s
                AllowedIPs = 10.0.0.3
                [Peer]
                PublicKey = %s
                AllowedIPs = 10.1.0.0/16
                AllowedIPs = 10.0.0.2
                Endpoint = 192.0.2.1:51820
                """.formatted(B, A));
        assertTrue(ConfigDiff.between(a, b).isEmpty(), ConfigDiff.between(a, b).toString());
    }

    @Test
    void addedRemovedAndChangedPeers() throws Exception {
        Config before = parse(BASE);
        Config after = parse("""
                [Interface]
                PrivateKey = %s
                ListenPort = 51820
                [Peer]
                PublicKey = %s
                PresharedKey = %s
                AllowedIPs = 10.0.0.2/32, 10.2.0.0/16
                Endpoint = [2001:db8::1]:51820
                PersistentKeepalive = 25
                [Peer]
                PublicKey = %s
                AllowedIPs = 10.0.0.4/32
                """.formatted(P, A, S, C));
        ConfigDiff d = ConfigDiff.between(before, after);
        assertEquals(List.of(C), d.added().stream().map(p -> p.publicKey().toBase64()).toList());
        assertEquals(List.of(B), d.removed().stream().map(p -> p.publicKey().toBase64()).toList());
        assertEquals(1, d.changed().size());
        ConfigDiff.PeerChange c = d.changed().getFirst();
        assertEquals(A, c.publicKey().toBase64());
        assertEquals(Set.of(ConfigDiff.PeerField.values()), c.fields());
        assertEquals(Set.of(IpPrefix.parse("10.2.0.0/16")), c.allowedIpsAdded());
        assertEquals(Set.of(IpPrefix.parse("10.1.0.0/16")), c.allowedIpsRemoved());
        assertEquals(0, d.unchanged());
        assertFalse(d.requiresRestart(), "peer changes apply live");
        assertTrue(d.interfaceChanges().isEmpty());
    }

    @Test
    void singleFieldChanges() throws Exception {
        Config before = parse(BASE);
        assertEquals(Set.of(ConfigDiff.PeerField.ENDPOINT), onlyChange(before,
                parse(BASE.replace("192.0.2.1:51820", "192.0.2.1:51821"))).fields());
        assertEquals(Set.of(ConfigDiff.PeerField.PERSISTENT_KEEPALIVE), onlyChange(before,
                parse(BASE.replace("Endpoint = 192.0.2.1:51820", "Endpoint = 192.0.2.1:51820\nPersistentKeepalive = 5")))
                .fields());
        var ips = onlyChange(before, parse(BASE.replace("10.0.0.3/32", "10.0.0.3/32, fd00::3")));
        assertEquals(Set.of(ConfigDiff.PeerField.ALLOWED_IPS), ips.fields());
        assertEquals(Set.of(IpPrefix.parse("fd00::3/128")), ips.allowedIpsAdded());
        assertTrue(ips.allowedIpsRemoved().isEmpty());
        assertEquals(B, ips.publicKey().toBase64());
    }

    private static ConfigDiff.PeerChange onlyChange(Config a, Config b) {
        ConfigDiff d = ConfigDiff.between(a, b);
        assertTrue(d.added().isEmpty() && d.removed().isEmpty(), d.toString());
        assertEquals(1, d.changed().size(), d.toString());
        assertEquals(1, d.unchanged());
        return d.changed().getFirst();
    }

    @Test
    void interfaceAndSettingChangesAreFlagged() throws Exception {
        Config before = parse(BASE);
        ConfigDiff port = ConfigDiff.between(before, parse(BASE.replace("ListenPort = 51820", "ListenPort = 51821")));
        assertEquals(Set.of(ConfigDiff.InterfaceField.LISTEN_PORT), port.interfaceChanges());
        assertTrue(port.requiresRestart());
        assertEquals(List.of("[Interface] ListenPort changed"), port.restartReasons());
        assertEquals(2, port.unchanged(), "peers are untouched by an interface change");

        ConfigDiff key = ConfigDiff.between(before, parse(BASE.replace("PrivateKey = " + P, "PrivateKey = " + S)));
        assertEquals(Set.of(ConfigDiff.InterfaceField.PRIVATE_KEY), key.interfaceChanges());
        assertTrue(key.requiresRestart());

        ConfigDiff mark = ConfigDiff.between(before, parse(BASE.replace("ListenPort = 51820", "ListenPort = 51820\nFwMark = 7")));
        assertEquals(Set.of(ConfigDiff.InterfaceField.FW_MARK), mark.interfaceChanges());

        ConfigDiff live = ConfigDiff.between(before, parse(BASE + "[Switchyard]\nStatusInterval = 1s\nZeroCopyThreshold = 4K\n"));
        assertEquals(Set.of(Setting.STATUS_INTERVAL, Setting.ZERO_COPY_THRESHOLD), live.settingChanges());
        assertFalse(live.requiresRestart());

        ConfigDiff restart = ConfigDiff.between(before, parse(BASE + "[Switchyard]\nGSO = off\n"));
        assertTrue(restart.requiresRestart());
        assertEquals(List.of("[Switchyard] GSO changed"), restart.restartReasons());

        ConfigDiff same = ConfigDiff.between(before, parse(BASE + "[Switchyard]\nGSO = on\nBatchSize = 64\n"));
        assertTrue(same.isEmpty(), "spelling out a default is no change");

        ConfigDiff wgQuick = ConfigDiff.between(before, parse(BASE.replace("ListenPort = 51820", "ListenPort = 51820\nMTU = 1280")));
        assertTrue(wgQuick.isEmpty(), "wg-quick-only keys never matter to the router");
    }

    @Test
    void pskMovedToAFileIsNoChange() throws Exception {
        var dir = java.nio.file.Files.createTempDirectory("diff");
        try {
            var keyFile = dir.resolve("a.psk");
            java.nio.file.Files.writeString(keyFile, S + "\n");
            Config inline = ConfigParser.parse("wg0.conf", BASE.replace("PublicKey = " + A, "PublicKey = " + A + "\nPresharedKey = " + S), dir).config();
            Config file = ConfigParser.parse("wg0.conf", BASE.replace("PublicKey = " + A, "PublicKey = " + A + "\nPresharedKeyFile = a.psk"), dir).config();
            assertTrue(ConfigDiff.between(inline, file).isEmpty());
            assertFalse(inline.equals(file), "but the configs differ in where the key lives");
        } finally {
            try (var s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Randomized: applying the diff to the old peer set must give the new peer set. */
    @Test
    void applyingTheDiffReproducesTheNewConfig() {
        var rnd = new Random(9);
        for (int round = 0; round < 300; round++) {
            Config before = RandomConfigs.config(rnd, rnd.nextInt(20));
            var peers = new ArrayList<>(before.peers());
            // mutate: drop some, change some, add some
            peers.removeIf(p -> rnd.nextInt(4) == 0);
            for (int i = 0; i < peers.size(); i++) {
                if (rnd.nextInt(3) == 0) {
                    PeerConfig p = peers.get(i);
                    var ips = new ArrayList<>(p.allowedIps());
                    if (!ips.isEmpty() && rnd.nextBoolean()) {
                        ips.remove(rnd.nextInt(ips.size()));
                    }
                    if (rnd.nextBoolean()) {
                        ips.add(RandomConfigs.prefix(rnd));
                    }
                    peers.set(i, new PeerConfig(p.publicKey(), p.presharedKey(), Optional.empty(), ips,
                            rnd.nextBoolean() ? p.endpoint() : Optional.of(RandomConfigs.endpoint(rnd)),
                            rnd.nextBoolean() ? p.persistentKeepalive() : rnd.nextInt(100)));
                }
            }
            int add = rnd.nextInt(4);
            for (int i = 0; i < add; i++) {
                peers.add(RandomConfigs.peer(rnd, RandomConfigs.key(rnd)));
            }
            Config after = new Config(before.name(), before.iface(), before.settings(), peers);
            ConfigDiff d = ConfigDiff.between(before, after);

            // apply it the way a router would, to a map of key -> allowed IP set
            var table = new java.util.HashMap<Key32, Set<IpPrefix>>();
            before.peers().forEach(p -> table.put(p.publicKey(), new HashSet<>(p.allowedIps())));
            d.removed().forEach(p -> table.remove(p.publicKey()));
            d.added().forEach(p -> table.put(p.publicKey(), new HashSet<>(p.allowedIps())));
            for (ConfigDiff.PeerChange c : d.changed()) {
                Set<IpPrefix> s = table.get(c.publicKey());
                s.removeAll(c.allowedIpsRemoved());
                s.addAll(c.allowedIpsAdded());
                assertEquals(c.after(), after.peer(c.publicKey()).orElseThrow());
            }
            var expected = new java.util.HashMap<Key32, Set<IpPrefix>>();
            after.peers().forEach(p -> expected.put(p.publicKey(), new HashSet<>(p.allowedIps())));
            assertEquals(expected, table);
            assertEquals(after.peers().size(), d.added().size() + d.changed().size() + d.unchanged());
            assertEquals(before.peers().size(), d.removed().size() + d.changed().size() + d.unchanged());
            for (PeerConfig p : after.peers()) {
                boolean same = before.peer(p.publicKey()).map(p::equals).orElse(false);
                assertEquals(same, d.changed().stream().noneMatch(c -> c.publicKey().equals(p.publicKey()))
                        && d.added().stream().noneMatch(a -> a.publicKey().equals(p.publicKey())));
            }
        }
    }
}
