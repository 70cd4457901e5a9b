package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.config.Config;
import io.switchyard.config.InterfaceAddress;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubStats;
import io.switchyard.router.OverlayDatagram;
import io.switchyard.router.OverlayUdpEndpoint;
import io.switchyard.wireguard.ip.InnerUdp;
import io.switchyard.wireguard.crypto.X25519;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hub's own overlay addresses (wg-quick Address) on real loopback sockets: it answers ICMP
 * echo for IPv4 and IPv6 with valid checksums, delivers UDP to a bound Java actor which answers
 * through its endpoint, counts everything else with a reason, follows Address changes, and keeps
 * received + originated = forwarded + consumed + dropped.
 */
@Timeout(60)
class HubLocalTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] HUB = {10, 0, 0, (byte) 254};
    private static final byte[] A6 = v6(1);
    private static final byte[] HUB6 = v6(0xfe);

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private TestPeer a;
    private ActorSystem apps;

    private static byte[] v6(int last) {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfd;
        b[15] = (byte) last;
        return b;
    }

    @BeforeEach
    void start() throws Exception {
        InterfaceConfig iface = InterfaceConfig.of(hubKey).withAddresses(
                List.of(InterfaceAddress.parse("10.0.0.254/24"), InterfaceAddress.parse("fd00::fe/64")));
        hub = HubCore.start(new Config("local", iface, RouterSettings.defaults(), List.of()));
        a = new TestPeer(hubPublic, new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()), A);
        Config c = hub.config();
        hub.apply(new Config(c.name(), c.iface(), c.settings(), List.of(new PeerConfig(a.publicKey(), Optional.empty(),
                Optional.empty(), List.of(IpPrefix.of(A, 32), IpPrefix.of(A6, 128)), Optional.empty(), 0))));
        a.handshake();
        await(st -> st.peers().get(0).rxPackets() >= 1);
        apps = ActorSystem.create("apps");
    }

    @AfterEach
    void stop() throws Exception {
        hub.close();
        a.close();
        apps.close();
    }

    /** An ICMP echo request (IPv4) with a valid checksum. */
    static byte[] echo4(byte[] src, byte[] dst, int id, int seq, byte[] data) {
        int total = 20 + 8 + data.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putInt(0).put((byte) 64).put((byte) 1).putShort((short) 0);
        b.put(src).put(dst);
        b.putShort(10, (short) InnerUdp.checksum(b, 0, 20));
        b.put(20, (byte) 8).put(21, (byte) 0).putShort(22, (short) 0).putShort(24, (short) id).putShort(26, (short) seq);
        b.put(28, data);
        b.putShort(22, (short) InnerUdp.checksum(b, 20, 8 + data.length));
        return b.array();
    }

    /** An ICMPv6 echo request with a valid checksum. */
    static byte[] echo6(byte[] src, byte[] dst, int id, int seq, byte[] data) {
        int len = 8 + data.length;
        ByteBuffer b = ByteBuffer.allocate(40 + len);
        b.putInt(0, 0x60000000).putShort(4, (short) len).put(6, (byte) 58).put(7, (byte) 64);
        b.put(8, src).put(24, dst);
        b.put(40, (byte) 128).put(41, (byte) 0).putShort(44, (short) id).putShort(46, (short) seq).put(48, data);
        b.putShort(42, (short) InnerUdp.checksum6(b, 0, len, 58));
        return b.array();
    }

    @Test
    void pingTheHubOverIpv4() throws Exception {
        byte[] data = "ping payload 0123456789".getBytes();
        a.send(echo4(A, HUB, 0x1234, 7, data));
        byte[] reply = a.receiveData();
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertEquals(28 + data.length, reply.length);
        assertArrayEquals(HUB, java.util.Arrays.copyOfRange(reply, 12, 16), "from the hub");
        assertArrayEquals(A, java.util.Arrays.copyOfRange(reply, 16, 20), "to the pinger");
        assertEquals(1, reply[9], "ICMP");
        assertEquals(0, InnerUdp.checksum(r, 0, 20), "IP header checksum");
        assertEquals(0, reply[20], "echo reply");
        assertEquals(0, InnerUdp.checksum(r, 20, reply.length - 20), "ICMP checksum");
        assertEquals(0x1234, r.getShort(24) & 0xffff);
        assertEquals(7, r.getShort(26));
        assertArrayEquals(data, java.util.Arrays.copyOfRange(reply, 28, reply.length));
        HubStats s = await(st -> st.counters().get("forwarded") == 1);
        assertEquals(1, s.counters().get("local.originated"));
        assertBalanced(s);
    }

    @Test
    void pingTheHubOverIpv6() throws Exception {
        byte[] data = new byte[100];
        new java.util.Random(3).nextBytes(data);
        a.send(echo6(A6, HUB6, 9, 1, data));
        byte[] reply = a.receiveData();
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertArrayEquals(HUB6, java.util.Arrays.copyOfRange(reply, 8, 24));
        assertArrayEquals(A6, java.util.Arrays.copyOfRange(reply, 24, 40));
        assertEquals(129, reply[40] & 0xff, "echo reply");
        assertEquals(0, InnerUdp.checksum6(r, 0, reply.length - 40, 58), "ICMPv6 checksum");
        assertArrayEquals(data, java.util.Arrays.copyOfRange(reply, 48, reply.length));
        assertBalanced(await(st -> st.counters().get("forwarded") == 1));
    }

    /** An application in the overlay: echoes every datagram back, upper-cased, through its endpoint. */
    @Test
    void aBoundJavaActorServesUdpOnTheHubsAddress() throws Exception {
        OverlayUdpEndpoint[] endpoint = new OverlayUdpEndpoint[1];
        ActorRef<OverlayDatagram> app = apps.spawn(Props.<OverlayDatagram>of(ctx -> d ->
                endpoint[0].send(d.source(), d.sourcePort(), new String(d.payload()).toUpperCase().getBytes())), "echo");
        endpoint[0] = hub.bindUdp(InetAddress.getByAddress(HUB), 7, app);
        assertEquals(new InetSocketAddress(InetAddress.getByAddress(HUB), 7), endpoint[0].localAddress());
        assertThrows(IllegalStateException.class, () -> hub.bindUdp(null, 7, app), "one binding per port");
        assertThrows(IllegalArgumentException.class, () -> hub.bindUdp(InetAddress.getByAddress(new byte[] {10, 9, 9, 9}), 8, app));

        a.send(udp4(A, HUB, 40000, 7, "hello hub".getBytes()));
        byte[] reply = a.receiveData();
        ByteBuffer r = ByteBuffer.wrap(reply);
        int n = InnerUdp.payloadLength(r, 0, reply.length);
        assertEquals("HELLO HUB", new String(reply, 28, n));
        assertEquals(7, InnerUdp.srcPort(r, 0));
        assertEquals(40000, InnerUdp.dstPort(r, 0));
        assertArrayEquals(HUB, java.util.Arrays.copyOfRange(reply, 12, 16));

        // IPv6 to the same port (bound to the IPv4 address only): unreachable.
        a.send(udp6(A6, HUB6, 40000, 7, "six".getBytes()));
        HubStats s = await(st -> st.drops().get(DropReason.LOCAL_UNREACHABLE) == 1);
        endpoint[0].close();
        a.send(udp4(A, HUB, 40000, 7, "after close".getBytes()));
        s = await(st -> st.drops().get(DropReason.LOCAL_UNREACHABLE) == 2);
        assertThrows(IllegalStateException.class, () -> endpoint[0].send(InetAddress.getByAddress(A), 1, new byte[1]));
        assertEquals(1, s.counters().get("local.originated"));
        assertBalanced(s);
    }

    @Test
    void whatNobodyAnswersIsCountedWithItsReason() throws Exception {
        a.send(udp4(A, HUB, 1, 9999, "no listener".getBytes()));
        byte[] tcp = udp4(A, HUB, 1, 2, new byte[12]);
        tcp[9] = 6; // TCP: nobody answers it
        tcp[10] = 0;
        tcp[11] = 0;
        ByteBuffer t = ByteBuffer.wrap(tcp);
        t.putShort(10, (short) InnerUdp.checksum(t, 0, 20));
        a.send(tcp);
        byte[] bad = echo4(A, HUB, 1, 1, new byte[8]);
        bad[30] ^= 1; // the ICMP checksum no longer holds
        a.send(bad);
        HubStats s = await(st -> st.drops().get(DropReason.LOCAL_UNREACHABLE) == 2
                && st.drops().get(DropReason.INNER_MALFORMED) == 1);
        assertFalse(a.receivesWithin(100), "nothing answers them");
        assertBalanced(s);
    }

    @Test
    void addressChangesApplyAtOnce() throws Exception {
        Config c = hub.config();
        hub.apply(new Config(c.name(), c.iface().withAddresses(List.of(InterfaceAddress.parse("10.0.0.253/24"))),
                c.settings(), c.peers()));
        a.send(echo4(A, HUB, 1, 1, new byte[4])); // the old address belongs to nobody now
        await(st -> st.drops().get(DropReason.NO_ROUTE) == 1);
        a.send(echo4(A, new byte[] {10, 0, 0, (byte) 253}, 1, 2, new byte[4]));
        byte[] reply = a.receiveData();
        assertEquals(0, reply[20], "the new address answers");
        assertBalanced(await(st -> st.counters().get("forwarded") == 1));
    }

    static byte[] udp4(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
        b.put(28, payload);
        InnerUdp.writeHeaders(b, 0, src, dst, sport, dport, payload.length);
        return b.array();
    }

    static byte[] udp6(byte[] src, byte[] dst, int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(48 + payload.length);
        b.put(48, payload);
        InnerUdp.writeHeaders6(b, 0, src, dst, sport, dport, payload.length);
        return b.array();
    }
}
