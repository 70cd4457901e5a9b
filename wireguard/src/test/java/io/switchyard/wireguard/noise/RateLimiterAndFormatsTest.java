package io.switchyard.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.wireguard.WireGuard;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RateLimiterAndFormatsTest {
    @Test
    void burstOfFiveThenTwentyPerSecond() throws Exception {
        FakeClocks clock = new FakeClocks();
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(1000, clock);
        InetAddress a = InetAddress.getByName("198.51.100.1");
        for (int i = 0; i < WireGuard.HANDSHAKE_BURST; i++) {
            assertTrue(limiter.allow(a), "burst " + i);
        }
        assertFalse(limiter.allow(a));
        clock.advance(Duration.ofMillis(49));
        assertFalse(limiter.allow(a));
        clock.advance(Duration.ofMillis(1));
        assertTrue(limiter.allow(a), "one more after 1/20 s");
        assertFalse(limiter.allow(a));
        assertTrue(limiter.allow(InetAddress.getByName("198.51.100.2")), "another address has its own bucket");
        // Over ten seconds at most 5 + 200 are allowed.
        int allowed = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            clock.advance(Duration.ofMillis(1));
            if (limiter.allow(a)) {
                allowed++;
            }
        }
        assertTrue(allowed >= 199 && allowed <= 205, "allowed " + allowed);
    }

    @Test
    void ipv6IsGroupedBySlash64() throws Exception {
        FakeClocks clock = new FakeClocks();
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(1000, clock);
        for (int i = 0; i < WireGuard.HANDSHAKE_BURST; i++) {
            assertTrue(limiter.allow(InetAddress.getByName("2001:db8:1:2::" + Integer.toHexString(i + 1))));
        }
        assertFalse(limiter.allow(InetAddress.getByName("2001:db8:1:2:ffff::9")), "same /64");
        assertTrue(limiter.allow(InetAddress.getByName("2001:db8:1:3::1")), "next /64");
    }

    @Test
    void tableIsBoundedAndExpires() throws Exception {
        FakeClocks clock = new FakeClocks();
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(100, clock);
        for (int i = 0; i < 5_000; i++) {
            limiter.allow(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
        }
        assertTrue(limiter.trackedSources() <= 100, "tracked " + limiter.trackedSources());
        clock.advance(Duration.ofSeconds(2));
        assertEquals(0, limiter.trackedSources());
    }

    /** The kernel's choice: a full table refuses new sources rather than evict a tracked one (which would refill its burst). */
    @Test
    void aFullTableRefusesNewSourcesAndKeepsTheTrackedOnesBuckets() throws Exception {
        FakeClocks clock = new FakeClocks();
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(3, clock);
        InetAddress busy = InetAddress.getByName("10.0.0.1");
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.allow(busy), "the burst");
        }
        assertFalse(limiter.allow(busy), "burst spent");
        assertTrue(limiter.allow(InetAddress.getByName("10.0.0.2")));
        assertTrue(limiter.allow(InetAddress.getByName("10.0.0.3")));
        for (int i = 4; i < 100; i++) {
            assertFalse(limiter.allow(InetAddress.getByName("10.0.0." + i)), "table full: new source " + i);
        }
        assertFalse(limiter.allow(busy), "its bucket was not reset by the new sources");
        clock.advance(Duration.ofSeconds(2)); // idle buckets expire, the table has room again
        assertTrue(limiter.allow(InetAddress.getByName("10.0.0.99")));
    }

    @Test
    void tai64nMatchesTheReferenceLayout() {
        // 2^62 + 10 + 1_700_000_000 s; 123_456_789 ns whitened down to a multiple of 2^24.
        byte[] s = Tai64n.stamp(Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
        assertArrayEquals(HexFormat.of().parseHex("400000006553f10a" + "07000000"), s);
        assertEquals(0x07000000, 123_456_789 & ~0xffffff);
        assertTrue(Tai64n.isAfter(Tai64n.stamp(Instant.ofEpochSecond(1_700_000_001L)), s));
        assertFalse(Tai64n.isAfter(s, s));
        // Two stamps within 2^24 ns collide: the responder sees them as equal, not newer.
        assertFalse(Tai64n.isAfter(Tai64n.stamp(Instant.ofEpochSecond(1_700_000_000L, 117_440_513)), s));
    }

    @Test
    void classifyChecksTypeWordAndLength() {
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 1);
        assertEquals(1, Messages.classify(b, 0, 148));
        assertEquals(0, Messages.classify(b, 0, 147));
        b.putInt(0, 2);
        assertEquals(2, Messages.classify(b, 0, 92));
        assertEquals(0, Messages.classify(b, 0, 93));
        b.putInt(0, 3);
        assertEquals(3, Messages.classify(b, 0, 64));
        b.putInt(0, 4);
        assertEquals(4, Messages.classify(b, 0, 32));
        assertEquals(0, Messages.classify(b, 0, 31));
        b.putInt(0, 4 | 1 << 8); // reserved byte set
        assertEquals(0, Messages.classify(b, 0, 32));
        assertEquals(0, Messages.classify(b, 0, 3));
        ByteBuffer big = ByteBuffer.allocate(64); // big-endian buffer: same answer
        big.put(0, (byte) 3);
        assertEquals(3, Messages.classify(big, 0, 64));
    }
}
