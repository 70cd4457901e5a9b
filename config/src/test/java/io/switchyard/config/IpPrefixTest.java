package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Literal parsing and formatting against the JDK's own, and prefix logic against BigInteger masks. */
class IpPrefixTest {

    @ParameterizedTest
    @CsvSource({
        // RFC 5952 section 4 examples and edge cases: input, canonical text
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:DB8::0001, 2001:db8::1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "::ffff:192.0.2.1, ::ffff:c000:201",
        "64:ff9b::10.1.2.3, 64:ff9b::a01:203",
        "fe80:0:0:0:0:0:0:0, fe80::",
    })
    void ipv6CanonicalText(String input, String canonical) throws Exception {
        byte[] a = IpLiterals.parse(input);
        assertArrayEquals(InetAddress.ofLiteral(input).getAddress().length == 16
                ? InetAddress.ofLiteral(input).getAddress() : a, a);
        assertEquals(canonical, IpLiterals.format(a));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
        "12345::", "g::1", "::1.2.3", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]",
        "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "0x7f.0.0.1", "1.2.3.-4",
    })
    void malformedLiteralsAreRefused(String s) {
        assertNull(IpLiterals.parse(s), s);
    }

    @Test
    void randomAddressesAgreeWithTheJdk() throws Exception {
        var rnd = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] a = new byte[rnd.nextBoolean() ? 4 : 16];
            rnd.nextBytes(a);
            if (a.length == 16) {
                // zero runs of random length and place, so that "::" appears often
                int from = rnd.nextInt(8);
                int to = from + rnd.nextInt(9 - from);
                for (int g = from; g < to; g++) {
                    a[2 * g] = 0;
                    a[2 * g + 1] = 0;
                }
            }
            String ours = IpLiterals.format(a);
            InetAddress jdk = InetAddress.getByAddress(a);
            byte[] jdkBytes = jdk.getAddress();
            if (jdkBytes.length == 16 || a.length == 4) {
                // the JDK turns ::ffff:a.b.c.d into an Inet4Address; compare the rest
                assertArrayEquals(a, InetAddress.ofLiteral(ours).getAddress(), ours);
            }
            assertArrayEquals(a, IpLiterals.parse(ours), ours);
            assertArrayEquals(a, IpLiterals.parse(jdk.getHostAddress()), jdk.getHostAddress());
            assertTrue(ours.length() <= jdk.getHostAddress().length());
        }
    }

    @Test
    void prefixesAgreeWithBigIntegerReference() {
        var rnd = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            int len = rnd.nextInt(4) == 0 ? 16 : 4;
            byte[] x = new byte[len];
            byte[] y = new byte[len];
            rnd.nextBytes(x);
            // make them share a random number of leading bits so containment actually happens
            System.arraycopy(x, 0, y, 0, len);
            int flip = rnd.nextInt(len * 8);
            y[flip / 8] ^= (byte) (0x80 >>> (flip % 8));
            int bx = rnd.nextInt(len * 8 + 1);
            int by = rnd.nextInt(len * 8 + 1);
            IpPrefix px = IpPrefix.of(x, bx);
            IpPrefix py = IpPrefix.of(y, by);
            boolean refContains = by >= bx && top(x, bx).equals(top(y, bx));
            assertEquals(refContains, px.contains(py), px + " contains " + py);
            assertEquals(refContains || (bx >= by && top(x, by).equals(top(y, by))), px.overlaps(py));
            assertEquals(top(x, bx), top(px.addressBytes(), bx));
            assertEquals(BigInteger.ZERO, new BigInteger(1, px.addressBytes()).and(
                    BigInteger.ONE.shiftLeft(len * 8 - bx).subtract(BigInteger.ONE)), "host bits cleared");
            assertEquals(px, IpPrefix.parse(px.toString()));
            assertTrue(px.contains(y) == top(x, bx).equals(top(y, bx)));
            int cmp = Integer.signum(px.compareTo(py));
            int ref = Integer.signum(new BigInteger(1, px.addressBytes()).compareTo(new BigInteger(1, py.addressBytes())));
            assertEquals(ref != 0 ? ref : Integer.signum(Integer.compare(bx, by)), cmp);
        }
    }

    private static BigInteger top(byte[] a, int bits) {
        return new BigInteger(1, a).shiftRight(a.length * 8 - bits);
    }

    @Test
    void parseAndHostBits() {
        assertEquals("10.0.0.0/24", IpPrefix.parse("10.0.0.1/24").toString());
        assertTrue(IpPrefix.hasHostBits("10.0.0.1/24"));
        assertFalse(IpPrefix.hasHostBits("10.0.0.0/24"));
        assertEquals("10.0.0.1/32", IpPrefix.parse("10.0.0.1").toString());
        assertEquals("fd00::1/128", IpPrefix.parse("fd00::1").toString());
        assertEquals("::/0", IpPrefix.parse("::/0").toString());
        assertEquals("0.0.0.0/0", IpPrefix.parse("1.2.3.4/0").toString());
        assertFalse(IpPrefix.parse("10.0.0.0/8").overlaps(IpPrefix.parse("::a00:0/104")), "families never overlap");
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/-1"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/8/8"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.of(new byte[5], 1));
    }

    @Test
    void endpoints() {
        assertEquals(new Endpoint("192.0.2.1", 51820), Endpoint.parse("192.0.2.1:51820"));
        assertEquals("[2001:db8::1]:443", Endpoint.parse("[2001:DB8:0::1]:443").toString());
        assertEquals("vpn.example.com:1", Endpoint.parse("VPN.example.COM:1").toString());
        assertTrue(Endpoint.parse("[::1]:1").literalAddress().isPresent());
        assertFalse(Endpoint.parse("localhost:1").isLiteral());
        for (String bad : new String[] {"", ":1", "host", "host:", "host:65536", "host:0", "host:-1", "::1:80",
                "[::1]", "[::1]:", "[::1]x:80", "[1.2.3.4]:80", "bad_name:80", "-a.com:80", "a..b:80", "10.0.0.300:80",
                "host:080x", "[fe80::1%eth0]:80"}) {
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(bad), bad);
        }
    }

    @Test
    void keys() {
        byte[] raw = new byte[32];
        new Random(3).nextBytes(raw);
        Key32 k = Key32.of(raw);
        assertEquals(k, Key32.fromBase64(k.toBase64()));
        assertArrayEquals(raw, k.toBytes());
        assertTrue(Key32.of(new byte[32]).isZero());
        String b64 = k.toBase64();
        // the last character holds 2 padding bits: a non-canonical spelling is refused
        char last = b64.charAt(42);
        String alias = b64.substring(0, 42) + (char) (last + 1) + "=";
        assertThrows(IllegalArgumentException.class, () -> Key32.fromBase64(alias));
        assertThrows(IllegalArgumentException.class, () -> Key32.fromBase64(b64.substring(0, 43)));
        assertThrows(IllegalArgumentException.class, () -> Key32.fromBase64(b64.replace('=', 'A')));
        assertThrows(IllegalArgumentException.class, () -> Key32.fromBase64(b64.substring(0, 42) + "=="));
        assertThrows(IllegalArgumentException.class, () -> Key32.fromBase64("_" + b64.substring(1)));
        assertThrows(IllegalArgumentException.class, () -> Key32.of(new byte[31]));
    }
}
