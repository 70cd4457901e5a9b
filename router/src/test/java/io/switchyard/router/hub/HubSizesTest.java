package io.switchyard.router.hub;

import io.switchyard.config.Endpoint;
import io.switchyard.wireguard.ip.InnerUdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubStats;
import io.switchyard.wireguard.crypto.X25519;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Datagram sizes through an in-process hub: a forwarded packet keeps the sender's padding and
 * never grows (a 1,420-byte packet from a 1,420-MTU client must leave as the 1,452-byte datagram
 * it came in as, or it no longer fits a 1,500-byte IPv6 path); jumbo datagrams up to WireGuard's
 * 65,535 bytes go through the large buffers; datagrams above what is configured are dropped as
 * DATAGRAM_TOO_BIG; the interface MTU is enforced with ICMP "too big" answers; a send the kernel
 * refuses is a drop with its reason. Every test ends with the accounting identity.
 */
@Timeout(60)
class HubSizesTest extends HubTestSupport {
    private static final byte[] A = {10, 0, 0, 1};
    private static final byte[] B = {10, 0, 0, 2};
    private static final byte[] HUB4 = {10, 0, 0, (byte) 254};
    private static final byte[] A6 = v6(1);
    private static final byte[] B6 = v6(2);

    private final Key32 hubKey = Key32.of(X25519.generatePrivateKey());
    private final Key32 hubPublic = Key32.of(X25519.publicKey(hubKey.toBytes()));
    private final List<TestPeer> clients = new ArrayList<>();

    private static byte[] v6(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[1] = 0x42;
        a[15] = (byte) last;
        return a;
    }

    private void start(String iface, String switchyard) throws Exception {
        String text = "[Interface]\nPrivateKey = " + hubKey.toBase64() + "\n" + iface + "\n[Switchyard]\n" + switchyard + "\n";
        hub = HubCore.start(ConfigParser.parse("sizes.conf", text, Path.of(".")).config());
    }

    @AfterEach
    void stop() throws Exception {
        if (hub != null) {
            // Forwarded is counted once the send returns, which can be after the datagram arrived.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!balanced(hub.stats()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertBalanced(hub.stats());
            hub.close();
        }
        for (TestPeer p : clients) {
            p.close();
        }
    }

    private TestPeer client(byte[] address) throws Exception {
        TestPeer p = new TestPeer(hubPublic, new InetSocketAddress("127.0.0.1", hub.localAddress().getPort()), address);
        clients.add(p);
        return p;
    }

    /** a and b with their IPv4 /32 and their IPv6 /128, handshaken. */
    private TestPeer[] pair() throws Exception {
        TestPeer a = client(A);
        TestPeer b = client(B);
        Config c = hub.config();
        List<PeerConfig> peers = List.of(
                PeerConfig.of(a.publicKey(), List.of(IpPrefix.of(A, 32), IpPrefix.of(A6, 128))),
                PeerConfig.of(b.publicKey(), List.of(IpPrefix.of(B, 32), IpPrefix.of(B6, 128))));
        hub.apply(new Config(c.name(), c.iface(), c.settings(), peers));
        handshake(a);
        handshake(b);
        return new TestPeer[] {a, b};
    }

    private static byte[] udp4(byte[] src, byte[] dst, int total, boolean dontFragment) {
        byte[] payload = new byte[total - 28];
        new Random(total).nextBytes(payload);
        byte[] p = TestPeer.ipv4(src, dst, payload);
        if (dontFragment) {
            p[6] = 0x40;
        }
        return p;
    }

    private static byte[] udp6(byte[] src, byte[] dst, int total) {
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(0x6000_0000).putShort((short) (total - 40)).put((byte) 17).put((byte) 64).put(src).put(dst);
        b.putShort((short) 12345).putShort((short) 9).putShort((short) (total - 40)).putShort((short) 0);
        byte[] payload = new byte[total - 48];
        new Random(total).nextBytes(payload);
        b.put(payload);
        return b.array();
    }

    private static long drops(HubStats s, DropReason r) {
        return s.drops().get(r);
    }

    @Test
    void aForwardedPacketKeepsTheSendersPaddingAndNeverGrows() throws Exception {
        start("ListenPort = 0", "");
        TestPeer[] p = pair();
        // At the MTU: padded to 1,420 by the client (not 1,424), so 1,452 bytes on the wire.
        byte[] full = udp4(A, B, 1420, true);
        assertEquals(1452, p[0].seal(full, 1420).length);
        p[0].sendRaw(p[0].seal(full, 1420));
        assertEquals(1452, p[1].receiveRaw().remaining(), "the hub added no padding");
        // Below the MTU: padded to 16 by the client, and forwarded as it came.
        p[0].sendRaw(p[0].seal(udp4(A, B, 101, false), 1420));
        assertEquals(16 + 112 + 16, p[1].receiveRaw().remaining());
        // A client that pads nothing: the hub adds nothing either.
        p[0].sendRaw(p[0].seal(udp4(A, B, 101, false), 101));
        assertEquals(16 + 101 + 16, p[1].receiveRaw().remaining());
        // More padding than 15 bytes (an IP packet short of its plaintext): trimmed to 16's multiple.
        byte[] ip = udp4(A, B, 40, false);
        byte[] padded = java.util.Arrays.copyOf(ip, 96);
        p[0].sendRaw(p[0].seal(padded, 96));
        ByteBuffer got = p[1].receiveRaw();
        assertEquals(16 + 48 + 16, got.remaining());
        assertEquals(0, drops(hub.stats(), DropReason.INNER_MALFORMED));
    }

    @Test
    void jumboDatagramsGoThroughTheLargeBuffersBothFamilies() throws Exception {
        start("ListenPort = 0", "");
        TestPeer[] p = pair();
        for (int total : new int[] {2049, 8920, 65_507 - 32}) { // 65,507: the most UDP over IPv4 carries
            byte[] v4 = udp4(A, B, total, true);
            p[0].sendRaw(p[0].seal(v4, total));
            assertArrayEquals(v4, p[1].receiveData(), total + " bytes over IPv4");
            byte[] v6 = udp6(B6, A6, total);
            p[1].sendRaw(p[1].seal(v6, total)); // no padding: 65,507 bytes is all IPv4 carries
            assertArrayEquals(v6, p[0].receiveData(), total + " bytes over IPv6");
        }
        HubStats s = await(st -> named(st, "pool.large_in_use") == 0); // released once each send returns
        assertEquals(0, s.dropped(), s.drops().toString());
    }

    @Test
    void aDatagramAboveMaxDatagramSizeIsDroppedAsTooBig() throws Exception {
        start("ListenPort = 0", "MaxDatagramSize = 1500");
        TestPeer[] p = pair();
        p[0].send(udp4(A, B, 1600, true));
        byte[] ok = udp4(A, B, 1400, true);
        p[0].send(ok);
        assertArrayEquals(ok, p[1].receiveData());
        HubStats s = await(st -> drops(st, DropReason.DATAGRAM_TOO_BIG) == 1);
        assertEquals(0, drops(s, DropReason.MALFORMED), "too big is not malformed");
    }

    @Test
    void withoutLargeBuffersBigDatagramsAreTooBigAndSmallOnesStillFlow() throws Exception {
        start("ListenPort = 0", "LargePacketBuffers = 0");
        TestPeer[] p = pair();
        p[0].send(udp4(A, B, 3000, true));
        p[0].send(udp4(A, B, 60_000, true));
        byte[] ok = udp4(A, B, 1400, true);
        p[0].send(ok);
        assertArrayEquals(ok, p[1].receiveData());
        await(st -> drops(st, DropReason.DATAGRAM_TOO_BIG) == 2);
        assertEquals(0, named(hub.stats(), "pool.large_capacity"));
    }

    @Test
    void aPacketAboveTheMtuIsAnsweredWithIcmpTooBig() throws Exception {
        start("ListenPort = 0\nMTU = 1280\nAddress = 10.0.0.254/32, fd42::fe/128", "");
        TestPeer[] p = pair();
        byte[] big = udp4(A, B, 1400, true);
        p[0].send(big);
        byte[] icmp = p[0].receiveData();
        assertEquals(576, icmp.length, "an ICMPv4 error quotes up to 576 bytes in all");
        assertEquals(1, icmp[9], "ICMP");
        assertArrayEquals(HUB4, java.util.Arrays.copyOfRange(icmp, 12, 16), "from the hub's address");
        assertArrayEquals(A, java.util.Arrays.copyOfRange(icmp, 16, 20), "to the sender");
        assertEquals(3, icmp[20]);
        assertEquals(4, icmp[21], "fragmentation needed");
        assertEquals(1280, ((icmp[26] & 0xff) << 8) | (icmp[27] & 0xff), "next-hop MTU");
        assertArrayEquals(java.util.Arrays.copyOf(big, 548), java.util.Arrays.copyOfRange(icmp, 28, 576), "the quote");
        assertEquals(0, io.switchyard.wireguard.ip.InnerUdp.checksum(ByteBuffer.wrap(icmp), 20, icmp.length - 20));

        byte[] big6 = udp6(A6, B6, 1400);
        p[0].send(big6);
        byte[] icmp6 = p[0].receiveData();
        assertEquals(1280, icmp6.length, "an ICMPv6 error fits the minimum MTU");
        assertEquals(58, icmp6[6]);
        assertEquals(2, icmp6[40], "packet too big");
        assertEquals(1280, ByteBuffer.wrap(icmp6).getInt(44));
        assertEquals(0, io.switchyard.wireguard.ip.InnerUdp.checksum6(ByteBuffer.wrap(icmp6), 0, icmp6.length - 40, 58));

        // IPv4 without DF may be fragmented on the way: the hub forwards it whole.
        byte[] fragmentable = udp4(A, B, 1400, false);
        p[0].send(fragmentable);
        assertArrayEquals(fragmentable, p[1].receiveData());
        // At the MTU: forwarded.
        byte[] atMtu = udp4(A, B, 1280, true);
        p[0].send(atMtu);
        assertArrayEquals(atMtu, p[1].receiveData());
        HubStats s = hub.stats();
        assertEquals(2, drops(s, DropReason.INNER_TOO_BIG));
        assertEquals(2, named(s, "local.too_big_answered"));
        assertFalse(p[1].receivesWithin(100), "the too-big packets never reached b");
    }

    @Test
    void withoutAnAddressOfTheFamilyTooBigIsDroppedUnanswered() throws Exception {
        start("ListenPort = 0\nMTU = 1280", "");
        TestPeer[] p = pair();
        p[0].send(udp4(A, B, 1400, true));
        HubStats s = await(st -> drops(st, DropReason.INNER_TOO_BIG) == 1);
        assertEquals(1, named(s, "local.too_big_unanswered"));
        assertFalse(p[0].receivesWithin(200));
    }

    @Test
    void aSendTheKernelRefusesIsADropWithItsReason() throws Exception {
        start("ListenPort = 0", "");
        TestPeer[] p = pair();
        // b's endpoint becomes a broadcast address: the kernel refuses sends there (EACCES).
        Config c = hub.config();
        List<PeerConfig> peers = new ArrayList<>(c.peers());
        PeerConfig b = peers.get(1);
        peers.set(1, new PeerConfig(b.publicKey(), b.presharedKey(), b.presharedKeyFile(), b.allowedIps(),
                java.util.Optional.of(io.switchyard.config.Endpoint.parse("127.255.255.255:9")), b.persistentKeepalive()));
        hub.apply(new Config(c.name(), c.iface(), c.settings(), peers));
        for (int i = 0; i < 3; i++) {
            p[0].send(udp4(A, B, 200, true));
        }
        HubStats s = await(st -> drops(st, DropReason.SEND_DENIED) == 3);
        assertEquals(0, drops(s, DropReason.SEND_FAILED));
        assertTrue(named(s, "io.send_dropped") >= 3, s.counters().toString());
    }
}
