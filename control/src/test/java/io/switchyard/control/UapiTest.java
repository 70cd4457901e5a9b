package io.switchyard.control;

import static io.switchyard.control.testing.MemoryTarget.config;
import static io.switchyard.control.testing.MemoryTarget.peer;
import static io.switchyard.control.testing.MemoryTarget.randomPublic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.Endpoint;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.control.testing.MemoryTarget;
import io.switchyard.control.testing.TestMetrics;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UapiTest {
    static final Key32 PRIV = Key32.of(HexFormat.of().parseHex("e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a"));
    static final Key32 PEER_A = Key32.of(HexFormat.of().parseHex("b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33"));
    static final Key32 PEER_B = Key32.of(HexFormat.of().parseHex("58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376"));
    static final Key32 PSK = Key32.of(HexFormat.of().parseHex("188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52"));

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static Config base() {
        var a = new PeerConfig(PEER_A, Optional.of(PSK), Optional.empty(),
                List.of(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("fd00::2/128")),
                Optional.of(new Endpoint("192.0.2.7", 51820)), 25);
        var b = peer(PEER_B, "10.0.1.0/24");
        return new Config("wg0", new InterfaceConfig(PRIV, Optional.empty(), 0, 0x1234, List.of()),
                RouterSettings.defaults(), List.of(a, b));
    }

    @Test
    void getListsDeviceThenPeersInWireguardGoOrder() {
        Config c = base();
        var liveA = new PeerSnapshot(PEER_A, Optional.of(new InetSocketAddress("2001:db8::9", 4000)),
                Optional.of(Instant.ofEpochSecond(1700000000, 123456789)), 3, 300, 4, 400,
                List.of(), 25, Map.of());
        var snap = new ControlSnapshot(40000, 3, 300, 4, 400, 1, 0, Map.of(), List.of(), List.of(liveA));
        StringBuilder sb = new StringBuilder();
        Uapi.writeGet(c, snap, false, sb);
        assertEquals("""
                private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a
                listen_port=40000
                fwmark=4660
                public_key=b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33
                preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52
                protocol_version=1
                endpoint=[2001:db8::9]:4000
                last_handshake_time_sec=1700000000
                last_handshake_time_nsec=123456789
                tx_bytes=400
                rx_bytes=300
                persistent_keepalive_interval=25
                allowed_ip=10.0.0.2/32
                allowed_ip=fd00::2/128
                public_key=58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376
                preshared_key=0000000000000000000000000000000000000000000000000000000000000000
                protocol_version=1
                last_handshake_time_sec=0
                last_handshake_time_nsec=0
                tx_bytes=0
                rx_bytes=0
                persistent_keepalive_interval=0
                allowed_ip=10.0.1.0/24
                """, sb.toString());
    }

    @Test
    void getFallsBackToConfiguredLiteralEndpointButNotToHostNames() {
        var a = new PeerConfig(PEER_A, Optional.empty(), Optional.empty(), List.of(),
                Optional.of(new Endpoint("192.0.2.7", 51820)), 0);
        var b = new PeerConfig(PEER_B, Optional.empty(), Optional.empty(), List.of(),
                Optional.of(new Endpoint("vpn.example.com", 51820)), 0);
        Config c = config("wg0", PRIV, List.of(a, b));
        StringBuilder sb = new StringBuilder();
        Uapi.writeGet(c, ControlSnapshot.idle(0), false, sb);
        assertTrue(sb.toString().contains("endpoint=192.0.2.7:51820\n"), sb.toString());
        assertEquals(1, sb.toString().split("endpoint=", -1).length - 1, sb.toString());
        assertTrue(!sb.toString().contains("listen_port"), "port 0 is left out: " + sb);
    }

    @Test
    void extendedGetAddsPacketsDropsAndCountersWithSafeKeys() {
        Config c = base();
        var liveA = new PeerSnapshot(PEER_A, Optional.empty(), Optional.empty(), 3, 300, 4, 400, List.of(), 25,
                Map.of("replay", 2L, "bad_tag", 0L));
        var snap = new ControlSnapshot(40000, 10, 1000, 20, 2000, 5, 6, Map.of("bad_mac", 7L),
                TestMetrics.of(Map.of("gso.trains", 8L, "we=ird key", 9L, "pool.in_use", 3L), "pool.in_use"), List.of(liveA));
        StringBuilder sb = new StringBuilder();
        Uapi.writeGet(c, snap, true, sb);
        String s = sb.toString();
        for (String expected : List.of("rx_packets=10\n", "tx_bytes=2000\n", "handshakes_completed=5\n",
                "cookie_replies_sent=6\n", "drop.bad_mac=7\n", "counter.gso.trains=8\n", "counter.we_ird_key=9\n", "gauge.pool.in_use=3\n",
                "drop.replay=2\n")) {
            assertTrue(s.contains(expected), expected + " in " + s);
        }
        assertTrue(!s.contains("drop.bad_tag"), "zero per-peer drops are left out: " + s);
    }

    @Test
    void setAddsAPeerAndChangesNothingElse() throws Exception {
        Config c = base();
        Key32 n = randomPublic();
        Config next = Uapi.applySet(c, 40000, lines("public_key=" + Uapi.hex(n)
                + "\nendpoint=[fd00::1]:1234\npersistent_keepalive_interval=5\nallowed_ip=10.0.9.0/24"));
        assertEquals(3, next.peers().size());
        assertEquals(c.peers(), next.peers().subList(0, 2));
        PeerConfig p = next.peers().get(2);
        assertEquals(n, p.publicKey());
        assertEquals(Optional.of(new Endpoint("fd00::1", 1234)), p.endpoint());
        assertEquals(5, p.persistentKeepalive());
        assertEquals(List.of(IpPrefix.parse("10.0.9.0/24")), p.allowedIps());
        assertSame(c.iface(), next.iface());
    }

    @Test
    void emptySetAndRepeatedValuesAreNoChange() throws Exception {
        Config c = base();
        assertEquals(c, Uapi.applySet(c, 40000, List.of()));
        assertEquals(c, Uapi.applySet(c, 40000, lines("listen_port=40000\nfwmark=4660\nprivate_key="
                + Uapi.hex(PRIV) + "\npublic_key=" + Uapi.hex(PEER_B) + "\nallowed_ip=10.0.1.0/24")));
    }

    @Test
    void listenPortOtherThanTheBoundOneIsAChange() throws Exception {
        Config next = Uapi.applySet(base(), 40000, lines("listen_port=40001"));
        assertEquals(40001, next.iface().listenPort());
        assertEquals(0x1234, next.iface().fwMark());
    }

    @Test
    void replaceAllowedIpsThenAdd() throws Exception {
        Config next = Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(PEER_A)
                + "\nreplace_allowed_ips=true\nallowed_ip=10.5.0.0/16"));
        PeerConfig a = next.peer(PEER_A).orElseThrow();
        assertEquals(List.of(IpPrefix.parse("10.5.0.0/16")), a.allowedIps());
        assertEquals(Optional.of(PSK), a.presharedKey(), "other fields kept");
    }

    @Test
    void anAllowedIpMovesFromItsOldOwner() throws Exception {
        Config next = Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(PEER_A) + "\nallowed_ip=10.0.1.0/24"));
        assertEquals(List.of(), next.peer(PEER_B).orElseThrow().allowedIps());
        assertTrue(next.peer(PEER_A).orElseThrow().allowedIps().contains(IpPrefix.parse("10.0.1.0/24")));
    }

    @Test
    void removeDeletesAndLaterLinesForThatPeerAreIgnored() throws Exception {
        Config next = Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(PEER_A)
                + "\nremove=true\nallowed_ip=10.7.0.0/16\npublic_key=" + Uapi.hex(PEER_B) + "\nallowed_ip=10.0.0.2/32"));
        assertEquals(1, next.peers().size());
        assertEquals(List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.0.2/32")),
                next.peer(PEER_B).orElseThrow().allowedIps(), "the removed peer's prefix is free to take");
        // removing a peer that does not exist is not an error
        assertEquals(base(), Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(randomPublic()) + "\nremove=true")));
    }

    @Test
    void updateOnlyDoesNotCreate() throws Exception {
        Key32 n = randomPublic();
        assertEquals(base(), Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(n)
                + "\nupdate_only=true\nallowed_ip=10.8.0.0/16")));
        Config next = Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(PEER_B)
                + "\nupdate_only=true\npersistent_keepalive_interval=9"));
        assertEquals(9, next.peer(PEER_B).orElseThrow().persistentKeepalive());
    }

    @Test
    void replacePeersStartsFromNone() throws Exception {
        Key32 n = randomPublic();
        Config next = Uapi.applySet(base(), 0, lines("replace_peers=true\npublic_key=" + Uapi.hex(n)
                + "\nallowed_ip=10.0.0.2/32"));
        assertEquals(List.of(peer(n, "10.0.0.2/32")), next.peers());
    }

    @Test
    void theHubsOwnKeyIsNeverAPeer() throws Exception {
        Key32 own = MemoryTarget.publicOf(PRIV);
        assertEquals(base(), Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(own) + "\nallowed_ip=10.9.9.9/32")));
        // a new private key whose public key is a configured peer removes that peer
        Key32 priv2 = MemoryTarget.newPrivateKey();
        Config withSelf = Uapi.applySet(base(), 0, lines("public_key=" + Uapi.hex(MemoryTarget.publicOf(priv2))));
        assertEquals(3, withSelf.peers().size());
        Config next = Uapi.applySet(withSelf, 0, lines("private_key=" + Uapi.hex(priv2)));
        assertEquals(base().peers(), next.peers());
        assertEquals(priv2, next.iface().privateKey());
    }

    @Test
    void zeroPresharedKeyMeansNoneAndAFileReferenceIsDropped() throws Exception {
        Config c = base();
        PeerConfig a = c.peer(PEER_A).orElseThrow();
        var withFile = new PeerConfig(PEER_A, a.presharedKey(), Optional.of(Path.of("/etc/psk")), a.allowedIps(),
                a.endpoint(), a.persistentKeepalive());
        Config fileBased = new Config(c.name(), c.iface(), c.settings(), List.of(withFile, c.peers().get(1)));
        Config cleared = Uapi.applySet(fileBased, 0, lines("public_key=" + Uapi.hex(PEER_A) + "\npreshared_key=" + "0".repeat(64)));
        assertEquals(Optional.empty(), cleared.peer(PEER_A).orElseThrow().presharedKey());
        assertEquals(Optional.empty(), cleared.peer(PEER_A).orElseThrow().presharedKeyFile());
        Key32 other = randomPublic();
        Config changed = Uapi.applySet(fileBased, 0, lines("public_key=" + Uapi.hex(PEER_A) + "\npreshared_key=" + Uapi.hex(other)));
        assertEquals(Optional.of(other), changed.peer(PEER_A).orElseThrow().presharedKey());
        assertEquals(Optional.empty(), changed.peer(PEER_A).orElseThrow().presharedKeyFile());
    }

    @Test
    void errorsCarryWireguardGosErrnos() {
        String a = "public_key=" + Uapi.hex(PEER_A) + "\n";
        record Case(String request, int errno, String messagePart) {}
        List<Case> cases = List.of(
                new Case("no equals sign", UapiException.EPROTO, "failed to parse line"),
                new Case("bogus=1", UapiException.EINVAL, "invalid UAPI device key"),
                new Case(a + "listen_port=1", UapiException.EINVAL, "invalid UAPI peer key"),
                new Case(a + "bogus=1", UapiException.EINVAL, "invalid UAPI peer key"),
                new Case("listen_port=65536", UapiException.EINVAL, "listen_port"),
                new Case("listen_port=-1", UapiException.EINVAL, "listen_port"),
                new Case("listen_port=", UapiException.EINVAL, "listen_port"),
                new Case("fwmark=4294967296", UapiException.EINVAL, "fwmark"),
                new Case("fwmark=0x10", UapiException.EINVAL, "fwmark"),
                new Case("replace_peers=false", UapiException.EINVAL, "replace_peers"),
                new Case("private_key=abc", UapiException.EINVAL, "private_key"),
                new Case("private_key=" + "0".repeat(64), UapiException.EINVAL, "private key"),
                new Case("private_key=" + "g".repeat(64), UapiException.EINVAL, "hex"),
                new Case("public_key=" + "z".repeat(64), UapiException.EINVAL, "public_key"),
                new Case(a + "remove=yes", UapiException.EINVAL, "remove"),
                new Case(a + "update_only=1", UapiException.EINVAL, "update_only"),
                new Case(a + "replace_allowed_ips=TRUE", UapiException.EINVAL, "replace_allowed_ips"),
                new Case(a + "protocol_version=2", UapiException.EINVAL, "protocol version"),
                new Case(a + "allowed_ip=10.0.0.1", UapiException.EINVAL, "allowed ip"),
                new Case(a + "allowed_ip=10.0.0.0/33", UapiException.EINVAL, "allowed ip"),
                new Case(a + "allowed_ip=10.0.0.256/32", UapiException.EINVAL, "allowed ip"),
                new Case(a + "endpoint=1.2.3.4", UapiException.EINVAL, "endpoint"),
                new Case(a + "endpoint=[fe80::1%eth0]:1", UapiException.EINVAL, "endpoint"),
                new Case(a + "persistent_keepalive_interval=65536", UapiException.EINVAL, "persistent_keepalive_interval"),
                new Case(a + "preshared_key=" + "0".repeat(63), UapiException.EINVAL, "preshared_key"));
        for (Case k : cases) {
            UapiException e = assertThrows(UapiException.class, () -> Uapi.applySet(base(), 0, lines(k.request())), k.request());
            assertEquals(k.errno(), e.errno(), k.request() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(k.messagePart()), k.request() + ": " + e.getMessage());
        }
    }

    @Test
    void aFailingRequestChangesNothingEvenAfterGoodLines() {
        Config c = base();
        assertThrows(UapiException.class, () -> Uapi.applySet(c, 0, lines("replace_peers=true\npublic_key="
                + Uapi.hex(PEER_A) + "\nallowed_ip=bad")));
        assertEquals(base(), c); // records are immutable; the interpreter must not share state
    }

    @Test
    void setconfStyleRequestRebuildsTheConfigurationFromNothing() throws Exception {
        // what `wg setconf` sends: replace_peers and every peer with replace_allowed_ips
        Config c = base();
        StringBuilder req = new StringBuilder("private_key=" + Uapi.hex(PRIV) + "\nfwmark=4660\nreplace_peers=true\n");
        for (PeerConfig p : c.peers()) {
            req.append("public_key=").append(Uapi.hex(p.publicKey())).append('\n');
            p.presharedKey().ifPresent(k -> req.append("preshared_key=").append(Uapi.hex(k)).append('\n'));
            p.endpoint().ifPresent(e -> req.append("endpoint=").append(e).append('\n'));
            req.append("persistent_keepalive_interval=").append(p.persistentKeepalive()).append('\n');
            req.append("replace_allowed_ips=true\n");
            for (IpPrefix ip : p.allowedIps()) {
                req.append("allowed_ip=").append(ip).append('\n');
            }
        }
        Config empty = new Config("wg0", new InterfaceConfig(MemoryTarget.newPrivateKey(), Optional.empty(), 0, 0, List.of()),
                RouterSettings.defaults(), new ArrayList<>());
        assertEquals(c, Uapi.applySet(empty, 0, lines(req.toString())));
    }

    @Test
    void hexKeysAcceptEitherCase() throws Exception {
        assertEquals(PEER_A, Uapi.parseHexKey("k", Uapi.hex(PEER_A).toUpperCase()));
        assertThrows(UapiException.class, () -> Uapi.parseHexKey("k", "\u0661".repeat(64)));
    }
}
