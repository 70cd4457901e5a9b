package io.switchyard.wireguard.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedIpsTest {
    private final AllowedIps<String> table = new AllowedIps<>();

    private static byte[] ip(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static int v4(String literal) {
        byte[] a = ip(literal);
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private String lookup(String literal) {
        byte[] a = ip(literal);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(40);
            MemorySegment.copy(a, 0, packet, ValueLayout.JAVA_BYTE, 7, a.length);
            String viaSegment = a.length == 4 ? table.lookupV4(packet, 7) : table.lookupV6(packet, 7);
            String viaPrimitives = a.length == 4 ? table.lookupV4(v4(literal))
                    : table.lookupV6(java.nio.ByteBuffer.wrap(a).getLong(0), java.nio.ByteBuffer.wrap(a).getLong(8));
            assertEquals(viaPrimitives, viaSegment, "segment and primitive lookups agree for " + literal);
            return viaPrimitives;
        }
    }

    @Test
    void longestPrefixWins() {
        table.insert(ip("10.0.0.0"), 8, "a");
        table.insert(ip("10.1.0.0"), 16, "b");
        table.insert(ip("10.1.2.3"), 32, "c");
        table.insert(ip("0.0.0.0"), 0, "default");
        assertEquals("c", lookup("10.1.2.3"));
        assertEquals("b", lookup("10.1.2.4"));
        assertEquals("a", lookup("10.200.0.1"));
        assertEquals("default", lookup("192.168.0.1"));
        assertNull(lookup("::1"), "IPv4 routes do not answer IPv6");
        assertEquals(4, table.size());
    }

    @Test
    void hostBitsAreMaskedOnInsertAndRemove() {
        table.insert(ip("192.168.77.200"), 24, "a");
        assertEquals(List.of(new AllowedIps.Prefix(ip("192.168.77.0"), 24)), table.prefixesOf("a"));
        assertEquals("a", lookup("192.168.77.1"));
        assertEquals("a", table.remove(ip("192.168.77.9"), 24));
        assertNull(lookup("192.168.77.1"));
        assertEquals(0, table.size());
    }

    @Test
    void insertingAnotherPeersPrefixMovesIt() {
        table.insert(ip("fd00::"), 64, "a");
        table.insert(ip("fd00:1::"), 64, "a");
        assertEquals("a", table.insert(ip("fd00::"), 64, "b"));
        assertEquals("b", lookup("fd00::5"));
        assertEquals("a", lookup("fd00:1::5"));
        assertEquals(List.of(new AllowedIps.Prefix(ip("fd00:1::"), 64)), table.prefixesOf("a"));
        assertEquals(List.of(new AllowedIps.Prefix(ip("fd00::"), 64)), table.prefixesOf("b"));
        assertEquals(2, table.size());
        assertEquals(2, table.owners());
    }

    @Test
    void removeAllOfPeerKeepsOthersAndRestructures() {
        table.insert(ip("10.0.0.0"), 8, "a");
        table.insert(ip("10.0.0.0"), 24, "b");
        table.insert(ip("10.0.1.0"), 24, "a");
        table.insert(ip("10.0.0.7"), 32, "a");
        table.insert(ip("2001:db8::"), 32, "a");
        assertEquals(4, table.removeAll("a"));
        assertEquals(0, table.removeAll("a"));
        assertEquals("b", lookup("10.0.0.7"));
        assertNull(lookup("10.0.1.1"));
        assertNull(lookup("2001:db8::1"));
        assertEquals(1, table.size());
        assertTrue(table.prefixesOf("a").isEmpty());
        assertTrue(table.ownsV4(v4("10.0.0.9"), "b"));
        assertFalse(table.ownsV4(v4("10.0.0.9"), "a"));
        assertFalse(table.ownsV4(v4("11.0.0.9"), "b"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(20);
            MemorySegment.copy(ip("10.0.0.9"), 0, packet, ValueLayout.JAVA_BYTE, 12, 4); // IPv4 source
            assertTrue(table.ownsV4(packet, 12, "b"));
            assertFalse(table.ownsV4(packet, 12, "a"));
        }
        table.insert(ip("fd00::"), 64, "b");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(40);
            MemorySegment.copy(ip("fd00::77"), 0, packet, ValueLayout.JAVA_BYTE, 8, 16); // IPv6 source
            assertTrue(table.ownsV6(packet, 8, "b"));
            assertFalse(table.ownsV6(packet, 8, "c"));
        }
    }

    @Test
    void hostRoutesAtFullLength() {
        table.insert(ip("::"), 0, "v6default");
        table.insert(ip("2001:db8::1"), 128, "one");
        table.insert(ip("2001:db8::"), 128, "zero");
        assertEquals("one", lookup("2001:db8::1"));
        assertEquals("zero", lookup("2001:db8::"));
        assertEquals("v6default", lookup("2001:db8::2"));
        table.insert(ip("255.255.255.255"), 32, "bcast");
        assertEquals("bcast", lookup("255.255.255.255"));
        assertNull(lookup("255.255.255.254"));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> table.insertV4(0, 33, "a"));
        assertThrows(IllegalArgumentException.class, () -> table.insertV6(0, 0, -1, "a"));
        assertThrows(IllegalArgumentException.class, () -> table.insert(new byte[5], 8, "a"));
        assertThrows(NullPointerException.class, () -> table.insertV4(0, 8, null));
        assertNull(table.removeV4(0, 8), "removing what is not there is a no-op");
        assertEquals(0, table.size());
    }

    // ------------------------------------------------------------------ randomized vs linear

    /** The slow obvious table: a list of (prefix, owner), scanned for the longest match. */
    private static final class Linear {
        final Map<AllowedIps.Prefix, String> entries = new HashMap<>();

        static byte[] mask(byte[] a, int bits) {
            byte[] m = a.clone();
            for (int i = 0; i < m.length; i++) {
                int keep = Math.clamp(bits - 8 * i, 0, 8);
                m[i] &= (byte) (0xff00 >>> keep);
            }
            return m;
        }

        String insert(byte[] a, int bits, String owner) {
            return entries.put(new AllowedIps.Prefix(mask(a, bits), bits), owner);
        }

        String remove(byte[] a, int bits) {
            return entries.remove(new AllowedIps.Prefix(mask(a, bits), bits));
        }

        int removeAll(String owner) {
            int before = entries.size();
            entries.values().removeIf(owner::equals);
            return before - entries.size();
        }

        String lookup(byte[] a) {
            String best = null;
            int bestBits = -1;
            for (var e : entries.entrySet()) {
                AllowedIps.Prefix p = e.getKey();
                if (p.address().length == a.length && p.bits() > bestBits
                        && java.util.Arrays.equals(mask(a, p.bits()), p.address())) {
                    best = e.getValue();
                    bestBits = p.bits();
                }
            }
            return best;
        }

        Set<AllowedIps.Prefix> of(String owner) {
            Set<AllowedIps.Prefix> out = new HashSet<>();
            entries.forEach((p, o) -> { if (o.equals(owner)) out.add(p); });
            return out;
        }
    }

    /** Random address near one of a few bases, so that prefixes nest and branch often. */
    private static byte[] randomAddress(SplittableRandom rnd, List<byte[]> bases, boolean v6) {
        byte[] a = bases.get(rnd.nextInt(bases.size())).clone();
        if (a.length != (v6 ? 16 : 4)) {
            a = new byte[v6 ? 16 : 4];
            rnd.nextBytes(a);
            return a;
        }
        int flips = rnd.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int bit = rnd.nextInt(a.length * 8);
            a[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 99, 2026})
    void randomizedAgainstLinearReference(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> bases = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            byte[] a = new byte[rnd.nextBoolean() ? 4 : 16];
            rnd.nextBytes(a);
            bases.add(a);
        }
        String[] peers = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"};
        Linear ref = new Linear();
        for (int step = 0; step < 3_000; step++) {
            boolean v6 = rnd.nextBoolean();
            byte[] a = randomAddress(rnd, bases, v6);
            int max = a.length * 8;
            int bits = rnd.nextInt(4) == 0 ? max : rnd.nextInt(max + 1);
            String peer = peers[rnd.nextInt(peers.length)];
            String where = "seed " + seed + " step " + step;
            int op = rnd.nextInt(20);
            if (op < 9) {
                assertEquals(ref.insert(a, bits, peer), table.insert(a, bits, peer), "insert " + where);
            } else if (op < 13) {
                // Remove something that exists more often than chance would.
                if (!ref.entries.isEmpty() && rnd.nextBoolean()) {
                    AllowedIps.Prefix p = ref.entries.keySet().iterator().next();
                    a = p.address();
                    bits = p.bits();
                }
                assertEquals(ref.remove(a, bits), table.remove(a, bits), "remove " + where);
            } else if (op == 13) {
                assertEquals(ref.removeAll(peer), table.removeAll(peer), "removeAll " + where);
            } else {
                for (int k = 0; k < 8; k++) {
                    byte[] q = randomAddress(rnd, bases, rnd.nextBoolean());
                    assertEquals(ref.lookup(q), lookup(InetAddressText.of(q)), "lookup " + where);
                }
            }
            assertEquals(ref.entries.size(), table.size(), "size " + where);
            if (step % 250 == 0) {
                FrozenAllowedIps<String> frozen = table.freeze();
                assertEquals(table.size(), frozen.size());
                for (int k = 0; k < 300; k++) {
                    byte[] q = randomAddress(rnd, bases, rnd.nextBoolean());
                    assertEquals(ref.lookup(q), frozenLookup(frozen, q), "frozen lookup " + where);
                }
                for (AllowedIps.Prefix p : ref.entries.keySet()) {
                    // Every stored prefix's own address, and its last address, hit the right owner.
                    byte[] last = p.address();
                    for (int b = p.bits(); b < last.length * 8; b++) last[b / 8] |= (byte) (0x80 >>> (b % 8));
                    assertEquals(ref.lookup(p.address()), frozenLookup(frozen, p.address()), "frozen first " + p);
                    assertEquals(ref.lookup(last), frozenLookup(frozen, last), "frozen last " + p);
                }
                for (String p : peers) {
                    assertEquals(ref.of(p), new HashSet<>(table.prefixesOf(p)), "prefixesOf " + p + " " + where);
                }
                Map<AllowedIps.Prefix, String> all = new HashMap<>();
                table.forEach(all::put);
                assertEquals(ref.entries, all, "forEach " + where);
            }
        }
    }

    private static String frozenLookup(FrozenAllowedIps<String> frozen, byte[] a) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(a);
        return a.length == 4 ? frozen.lookupV4(b.getInt(0)) : frozen.lookupV6(b.getLong(0), b.getLong(8));
    }

    /** Prefixes of every length under one /16 and around it: the jump table's edge cases. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void frozenIpv4AgainstLinearAroundJumpBoundary(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Linear ref = new Linear();
        int base = rnd.nextInt() & 0xFFFF0000;
        for (int i = 0; i < 400; i++) {
            int bits = rnd.nextInt(33);
            int addr = base ^ (rnd.nextInt() >>> rnd.nextInt(32)); // mostly near the base /16
            byte[] a = java.nio.ByteBuffer.allocate(4).putInt(addr).array();
            String peer = "p" + rnd.nextInt(20);
            ref.insert(a, bits, peer);
            table.insert(a, bits, peer);
            if (rnd.nextInt(4) == 0) {
                ref.remove(a, bits);
                table.remove(a, bits);
            }
        }
        FrozenAllowedIps<String> frozen = table.freeze();
        for (int i = 0; i < 20_000; i++) {
            int addr = base ^ (rnd.nextInt() >>> rnd.nextInt(32));
            byte[] a = java.nio.ByteBuffer.allocate(4).putInt(addr).array();
            assertEquals(ref.lookup(a), frozen.lookupV4(addr), "seed " + seed + " addr " + InetAddressText.of(a));
        }
    }

    @Test
    void frozenSnapshotIsUnaffectedByLaterChanges() {
        table.insert(ip("10.0.0.0"), 8, "a");
        table.insert(ip("10.9.9.9"), 32, "h");
        FrozenAllowedIps<String> frozen = table.freeze();
        table.removeAll("a");
        table.insert(ip("10.9.9.9"), 32, "other");
        assertEquals("a", frozen.lookupV4(v4("10.1.1.1")));
        assertEquals("h", frozen.lookupV4(v4("10.9.9.9")));
        assertNull(table.lookupV4(v4("10.1.1.1")));
        assertTrue(frozen.ownsV4(v4("10.9.9.9"), "h"));
        FrozenAllowedIps<String> empty = new AllowedIps<String>().freeze();
        assertNull(empty.lookupV4(v4("10.1.1.1")));
        assertNull(empty.lookupV6(1, 2));
        assertEquals(0, empty.size());
    }

    /** Literal text of raw address bytes, for the lookup helper. */
    private static final class InetAddressText {
        static String of(byte[] a) {
            try {
                return InetAddress.getByAddress(a).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }
}
