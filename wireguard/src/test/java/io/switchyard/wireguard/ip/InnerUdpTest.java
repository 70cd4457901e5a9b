package io.switchyard.wireguard.ip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The inner packet codec: known-good bytes, round trips and refusal of damaged packets. */
class InnerUdpTest {
    private static final HexFormat HEX = HexFormat.of();

    // fd00::1 port 40000 -> fd00::2 port 51820, payload "hello": bytes from an independent
    // reference (a plain Python RFC 1071 sum over the RFC 8200 pseudo-header), checksum 0x5b50.
    private static final String V6_HELLO = "60000000000d1140fd000000000000000000000000000001"
            + "fd0000000000000000000000000000029c40ca6c000d5b5068656c6c6f";

    @Test
    void ipv6MatchesKnownGoodBytes() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(InnerUdp.HEADERS6, "hello".getBytes(StandardCharsets.US_ASCII));
        int total = InnerUdp.writeHeaders6(b, 0, InetAddress.getByName("fd00::1").getAddress(),
                InetAddress.getByName("fd00::2").getAddress(), 40000, 51820, 5);
        byte[] out = new byte[total];
        b.get(0, out);
        assertEquals(V6_HELLO, HEX.formatHex(out));
        ByteBuffer known = ByteBuffer.wrap(HEX.parseHex(V6_HELLO));
        assertEquals(5, InnerUdp.payloadLength6(known, 0, known.capacity()));
        assertEquals(40000, InnerUdp.srcPort6(known, 0));
        assertEquals(51820, InnerUdp.dstPort6(known, 0));
    }

    @Test
    void roundTripsAtEveryPayloadLengthAndOffset() {
        Random random = new Random(7);
        byte[] src4 = {10, 0, 0, 1};
        byte[] dst4 = {10, 0, 0, 2};
        byte[] src6 = new byte[16];
        byte[] dst6 = new byte[16];
        for (int len = 0; len <= 1420 - InnerUdp.HEADERS6; len += 37) {
            int offset = random.nextInt(16);
            random.nextBytes(src6);
            random.nextBytes(dst6);
            byte[] payload = new byte[len];
            random.nextBytes(payload);

            ByteBuffer b4 = ByteBuffer.allocate(offset + InnerUdp.HEADERS + len);
            b4.put(offset + InnerUdp.HEADERS, payload);
            int total4 = InnerUdp.writeHeaders(b4, offset, src4, dst4, 1234, 5678, len);
            assertEquals(InnerUdp.HEADERS + len, total4);
            assertEquals(len, InnerUdp.payloadLength(b4, offset, total4));
            assertEquals(1234, InnerUdp.srcPort(b4, offset));
            assertEquals(5678, InnerUdp.dstPort(b4, offset));

            ByteBuffer b6 = ByteBuffer.allocate(offset + InnerUdp.HEADERS6 + len + 16); // trailing slack
            b6.put(offset + InnerUdp.HEADERS6, payload);
            int total6 = InnerUdp.writeHeaders6(b6, offset, src6, dst6, 65535, 1, len);
            assertEquals(InnerUdp.HEADERS6 + len, total6);
            assertEquals(len, InnerUdp.payloadLength6(b6, offset, b6.capacity() - offset));
            assertEquals(65535, InnerUdp.srcPort6(b6, offset));
            assertEquals(1, InnerUdp.dstPort6(b6, offset));
            byte[] back = new byte[len];
            b6.get(offset + InnerUdp.HEADERS6, back);
            assertArrayEquals(payload, back);
        }
    }

    @Test
    void ipv6RefusesEveryDamagedByteAndBadShapes() {
        ByteBuffer good = ByteBuffer.wrap(HEX.parseHex(V6_HELLO));
        // Any single flipped bit in addresses, UDP header or payload breaks the checksum; in the
        // other header bytes it breaks version, next header or the lengths.
        for (int i = 0; i < good.capacity(); i++) {
            if (i == 1 || i == 2 || i == 3 || i == 7) {
                continue; // traffic class, flow label and hop limit are not covered by anything
            }
            ByteBuffer bad = ByteBuffer.wrap(HEX.parseHex(V6_HELLO));
            // byte 0: flip a version bit (its low nibble is traffic class, covered by nothing)
            bad.put(i, (byte) (bad.get(i) ^ (i == 0 ? 0x10 : 0x01)));
            assertEquals(-1, InnerUdp.payloadLength6(bad, 0, bad.capacity()), "flipped bit in byte " + i);
        }
        assertEquals(-1, InnerUdp.payloadLength6(good, 0, good.capacity() - 1), "truncated");
        assertEquals(-1, InnerUdp.payloadLength6(good, 0, 47), "shorter than the headers");
        ByteBuffer zero = ByteBuffer.wrap(HEX.parseHex(V6_HELLO));
        zero.putShort(46, (short) 0);
        assertEquals(-1, InnerUdp.payloadLength6(zero, 0, zero.capacity()), "IPv6 forbids a zero UDP checksum");
        ByteBuffer v4 = ByteBuffer.allocate(40);
        InnerUdp.writeHeaders(v4, 0, new byte[4], new byte[4], 1, 2, 12);
        assertEquals(-1, InnerUdp.payloadLength6(v4, 0, 40), "an IPv4 packet is not IPv6");
        assertEquals(12, InnerUdp.payloadLength(v4, 0, 40));
        assertEquals(-1, InnerUdp.payloadLength(good, 0, good.capacity()), "an IPv6 packet is not IPv4");
    }

    @Test
    void ipv6ChecksumThatSumsToZeroIsSentAsAllOnes() {
        // Search payloads (deterministically) for one whose computed checksum is zero.
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        ByteBuffer b = ByteBuffer.allocate(InnerUdp.HEADERS6 + 2);
        for (int v = 0; v <= 0xffff; v++) {
            b.putShort(InnerUdp.HEADERS6, (short) v);
            InnerUdp.writeHeaders6(b, 0, src, dst, 7, 9, 2);
            if ((b.getShort(46) & 0xffff) == 0xffff) {
                assertEquals(2, InnerUdp.payloadLength6(b, 0, b.capacity()), "0xffff verifies as zero");
                return;
            }
        }
        throw new AssertionError("no payload gave a zero checksum");
    }

    @Test
    void badArgumentsAreRefused() {
        ByteBuffer b = ByteBuffer.allocate(128);
        assertThrows(IllegalArgumentException.class,
                () -> InnerUdp.writeHeaders6(b, 0, new byte[4], new byte[16], 1, 2, 0));
        assertThrows(IllegalArgumentException.class,
                () -> InnerUdp.writeHeaders6(b, 0, new byte[16], new byte[16], 1, 2, 70_000));
    }
}
