package io.switchyard.wireguard.routing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * WireGuard's cryptokey routing table: IPv4 and IPv6 prefixes, each owned by one peer, with
 * longest-prefix-match lookup. Generic in the owner type {@code V} (the router stores peer actor
 * references); owners are compared with {@link Object#equals}.
 *
 * <h2>Semantics (as wg(8) and the kernel's allowedips.c)</h2>
 * <ul>
 *   <li>Inserting a prefix clears its host bits ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
 *   <li>Inserting a prefix another peer owns moves it to the new peer.
 *   <li>{@link #lookupV4}/{@link #lookupV6} return the owner of the longest prefix containing the
 *       address, or {@code null}.
 * </ul>
 *
 * <h2>Algorithm: a path-compressed binary trie per family</h2>
 * Addresses are 128-bit keys held in two longs ({@code hi}, {@code lo}); IPv4 uses the top 32 bits
 * of {@code hi}. Every node is a prefix (key, length). A child's prefix extends its parent's and
 * hangs on the side given by the child's bit at the parent's length, so a lookup walks at most one
 * node per distinct prefix length on its path, with one mask-and-compare per node, remembering the
 * last node that had an owner. Chains of single-child nodes are never stored: a node without an
 * owner exists only as the branch point of exactly two subtrees, so the trie has fewer than twice
 * as many nodes as prefixes. Removal restores that invariant on the way back up.
 *
 * <p>Full-length prefixes (/32, /128) are also kept in an exact-match hash ({@link HostRoutes}),
 * probed first: a host route is always the longest match, and a hub whose peers own one /32 each
 * then answers with one probe instead of a walk.
 *
 * <p>Lookups allocate nothing and read the address straight from a packet buffer if asked. Each
 * owner's nodes are also indexed in a map so that {@link #removeAll} and {@link #prefixesOf} cost
 * O(prefixes of that peer), not a walk of the whole table.
 *
 * <p>Not thread-safe: one owner (the router's control side) mutates it. The data path reads a
 * {@link #freeze() frozen} snapshot instead, immutable and shareable across peer actors, and the
 * owner publishes a new snapshot after each batch of changes (copy-on-write, as the kernel's RCU).
 *
 * <p>Why one file of about 550 lines: one trie, whose insert, remove, lookup and freeze all walk
 * the same node layout; they change together.
 */
public final class AllowedIps<V> {
    private static final ValueLayout.OfInt IPV4 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A prefix some peer owns, as handed out by {@link #prefixesOf}: address bytes are masked. */
    public record Prefix(byte[] address, int bits) {
        public Prefix {
            Objects.requireNonNull(address, "address");
            if (address.length != 4 && address.length != 16) {
                throw new IllegalArgumentException("an IP address is 4 or 16 bytes, got " + address.length);
            }
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("prefix length " + bits + " out of range 0.." + address.length * 8);
            }
            address = address.clone();
        }

        @Override
        public byte[] address() {
            return address.clone();
        }

        public boolean isIpv4() {
            return address.length == 4;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Prefix p && p.bits == bits && java.util.Arrays.equals(p.address, address);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(address) * 31 + bits;
        }

        @Override
        public String toString() {
            try {
                return java.net.InetAddress.getByAddress(address).getHostAddress() + "/" + bits;
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static final class Node<V> {
        final long hi;
        final long lo;
        final int bits;
        final boolean v6;
        V owner;
        Node<V> zero;
        Node<V> one;

        Node(long hi, long lo, int bits, boolean v6) {
            this.hi = hi;
            this.lo = lo;
            this.bits = bits;
            this.v6 = v6;
        }
    }

    private Node<V> root4;
    private Node<V> root6;
    /** Full-length prefixes again, for the one-probe fast path; see {@link HostRoutes}. */
    private final HostRoutes<V> hosts4 = new HostRoutes<>();
    private final HostRoutes<V> hosts6 = new HostRoutes<>();
    private final Map<V, Set<Node<V>>> byOwner = new HashMap<>();
    private int size;

    /** An empty table. */
    public AllowedIps() {}

    // ------------------------------------------------------------------ bit arithmetic

    private static long maskHi(int bits) {
        return bits == 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
    }

    private static long maskLo(int bits) {
        return bits <= 64 ? 0 : -1L << (128 - bits);
    }

    /** Whether the key's first {@code node.bits} bits equal the node's. */
    private static boolean matches(Node<?> node, long hi, long lo) {
        int bits = node.bits;
        return ((hi ^ node.hi) & maskHi(bits)) == 0 && ((lo ^ node.lo) & maskLo(bits)) == 0;
    }

    /** Bit {@code i} of the key, counted from the most significant. */
    private static int bit(long hi, long lo, int i) {
        return (int) (i < 64 ? hi >>> (63 - i) : lo >>> (127 - i)) & 1;
    }

    /** The number of leading bits two keys share. */
    private static int commonBits(long hi1, long lo1, long hi2, long lo2) {
        long x = hi1 ^ hi2;
        return x != 0 ? Long.numberOfLeadingZeros(x) : 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
    }

    // ------------------------------------------------------------------ lookup (hot path)

    /** The owner of the longest prefix containing the IPv4 address {@code addr}, or null. */
    public V lookupV4(int addr) {
        long key = (long) addr << 32;
        if (!hosts4.isEmpty()) {
            V host = hosts4.get(key, 0);
            if (host != null) {
                return host;
            }
        }
        return lookup(root4, key, 0);
    }

    /** The owner of the longest prefix containing the IPv6 address {@code hi:lo}, or null. */
    public V lookupV6(long hi, long lo) {
        if (!hosts6.isEmpty()) {
            V host = hosts6.get(hi, lo);
            if (host != null) {
                return host;
            }
        }
        return lookup(root6, hi, lo);
    }

    /** {@link #lookupV4} of the 4 network-order bytes at {@code offset} of {@code packet}. */
    public V lookupV4(MemorySegment packet, long offset) {
        return lookupV4(packet.get(IPV4, offset));
    }

    /** {@link #lookupV6} of the 16 network-order bytes at {@code offset} of {@code packet}. */
    public V lookupV6(MemorySegment packet, long offset) {
        return lookupV6(packet.get(IPV6_HALF, offset), packet.get(IPV6_HALF, offset + 8));
    }

    private static <V> V lookup(Node<V> node, long hi, long lo) {
        V found = null;
        while (node != null && matches(node, hi, lo)) {
            if (node.owner != null) {
                found = node.owner;
            }
            int bits = node.bits;
            if (bits == (node.v6 ? 128 : 32)) {
                break;
            }
            node = bit(hi, lo, bits) == 0 ? node.zero : node.one;
        }
        return found;
    }

    /** Whether {@code peer} owns the IPv4 source address {@code addr} (the crypto-RP check). */
    public boolean ownsV4(int addr, V peer) {
        V owner = lookupV4(addr);
        return owner != null && owner.equals(peer);
    }

    /** {@link #ownsV4(int, Object)} of the 4 network-order bytes at {@code offset} of {@code packet}. */
    public boolean ownsV4(MemorySegment packet, long offset, V peer) {
        return ownsV4(packet.get(IPV4, offset), peer);
    }

    /** {@link #ownsV6(long, long, Object)} of the 16 network-order bytes at {@code offset}. */
    public boolean ownsV6(MemorySegment packet, long offset, V peer) {
        return ownsV6(packet.get(IPV6_HALF, offset), packet.get(IPV6_HALF, offset + 8), peer);
    }

    /** Whether {@code peer} owns the IPv6 source address {@code hi:lo}. */
    public boolean ownsV6(long hi, long lo, V peer) {
        V owner = lookupV6(hi, lo);
        return owner != null && owner.equals(peer);
    }

    // ------------------------------------------------------------------ updates

    /**
     * Gives {@code addr/bits} (IPv4) to {@code peer}, clearing host bits.
     *
     * @return the previous owner of exactly this prefix, or null
     */
    public V insertV4(int addr, int bits, V peer) {
        checkBits(bits, 32);
        return insert(false, (long) addr << 32, 0, bits, peer);
    }

    /** Gives {@code hi:lo/bits} (IPv6) to {@code peer}, clearing host bits. */
    public V insertV6(long hi, long lo, int bits, V peer) {
        checkBits(bits, 128);
        return insert(true, hi, lo, bits, peer);
    }

    /** Gives a prefix of a 4- or 16-byte network-order address to {@code peer}. */
    public V insert(byte[] address, int bits, V peer) {
        return switch (address.length) {
            case 4 -> insertV4(v4(address), bits, peer);
            case 16 -> insertV6(half(address, 0), half(address, 8), bits, peer);
            default -> throw new IllegalArgumentException("an IP address is 4 or 16 bytes, got " + address.length);
        };
    }

    /** Gives {@code prefix} to {@code peer}. */
    public V insert(Prefix prefix, V peer) {
        return insert(prefix.address, prefix.bits, peer);
    }

    /** Removes exactly {@code addr/bits} (host bits cleared); returns its owner, or null. */
    public V removeV4(int addr, int bits) {
        checkBits(bits, 32);
        return remove(false, (long) addr << 32, 0, bits);
    }

    /** Removes exactly {@code hi:lo/bits}; returns its owner, or null. */
    public V removeV6(long hi, long lo, int bits) {
        checkBits(bits, 128);
        return remove(true, hi, lo, bits);
    }

    /** Removes exactly the prefix of a 4- or 16-byte address; returns its owner, or null. */
    public V remove(byte[] address, int bits) {
        return switch (address.length) {
            case 4 -> removeV4(v4(address), bits);
            case 16 -> removeV6(half(address, 0), half(address, 8), bits);
            default -> throw new IllegalArgumentException("an IP address is 4 or 16 bytes, got " + address.length);
        };
    }

    /** Removes exactly {@code prefix}; returns its owner, or null. */
    public V remove(Prefix prefix) {
        return remove(prefix.address, prefix.bits);
    }

    /** Removes every prefix {@code peer} owns; returns how many. */
    public int removeAll(V peer) {
        Set<Node<V>> nodes = byOwner.remove(peer);
        if (nodes == null) {
            return 0;
        }
        for (Node<V> n : nodes) {
            n.owner = null; // already out of byOwner; unhost and restructure
            unhost(n);
            if (n.v6) {
                root6 = prune(root6, n);
            } else {
                root4 = prune(root4, n);
            }
        }
        size -= nodes.size();
        return nodes.size();
    }

    /** Removes everything. */
    public void clear() {
        root4 = null;
        root6 = null;
        hosts4.clear();
        hosts6.clear();
        byOwner.clear();
        size = 0;
    }

    /** The prefixes {@code peer} owns, in no particular order. */
    public List<Prefix> prefixesOf(V peer) {
        Set<Node<V>> nodes = byOwner.get(peer);
        List<Prefix> out = new ArrayList<>(nodes == null ? 0 : nodes.size());
        if (nodes != null) {
            for (Node<V> n : nodes) {
                out.add(toPrefix(n));
            }
        }
        return out;
    }

    /**
     * An immutable snapshot for the data path: thread-safe, allocation-free lookups, faster than
     * this mutable form (see {@link FrozenAllowedIps}). O(prefixes) plus a 64k-entry IPv4 jump
     * table; build one per batch of changes, not per change.
     */
    public FrozenAllowedIps<V> freeze() {
        int n4 = count(root4);
        int n6 = count(root6);
        long[] nodes4 = new long[n4 * FrozenAllowedIps.STRIDE];
        Object[] owners4 = new Object[n4];
        long[] nodes6 = new long[n6 * FrozenAllowedIps.STRIDE];
        Object[] owners6 = new Object[n6];
        flatten(root4, nodes4, owners4, new int[1]);
        flatten(root6, nodes6, owners6, new int[1]);
        HostRoutes<V> h4 = new HostRoutes<>();
        HostRoutes<V> h6 = new HostRoutes<>();
        for (Set<Node<V>> set : byOwner.values()) {
            for (Node<V> node : set) {
                if (isHost(node)) {
                    (node.v6 ? h6 : h4).put(node.hi, node.lo, node.owner);
                }
            }
        }
        return new FrozenAllowedIps<>(nodes4, owners4, nodes6, owners6, h4, h6, size);
    }

    private static int count(Node<?> node) {
        return node == null ? 0 : 1 + count(node.zero) + count(node.one);
    }

    /** Writes the subtree in depth-first order from {@code next[0]}; returns the node's index. */
    private static <V> int flatten(Node<V> node, long[] nodes, Object[] owners, int[] next) {
        if (node == null) {
            return -1;
        }
        int k = next[0]++;
        int base = k * FrozenAllowedIps.STRIDE;
        nodes[base + FrozenAllowedIps.HI] = node.hi;
        nodes[base + FrozenAllowedIps.LO] = node.lo;
        nodes[base + FrozenAllowedIps.BITS] = node.bits;
        owners[k] = node.owner;
        int zero = flatten(node.zero, nodes, owners, next);
        int one = flatten(node.one, nodes, owners, next);
        nodes[base + FrozenAllowedIps.CHILDREN] = FrozenAllowedIps.children(zero, one);
        return k;
    }

    /** Calls {@code action} for every prefix and its owner, IPv4 first, in address order. */
    public void forEach(BiConsumer<Prefix, V> action) {
        walk(root4, action);
        walk(root6, action);
    }

    /** The number of prefixes stored. */
    public int size() {
        return size;
    }

    /** The number of distinct owners. */
    public int owners() {
        return byOwner.size();
    }

    // ------------------------------------------------------------------ internals

    private static void checkBits(int bits, int max) {
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range 0.." + max);
        }
    }

    private static int v4(byte[] a) {
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static long half(byte[] a, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = v << 8 | (a[i] & 0xff);
        }
        return v;
    }

    private static Prefix toPrefix(Node<?> n) {
        byte[] a = new byte[n.v6 ? 16 : 4];
        for (int i = 0; i < a.length; i++) {
            long word = i < 8 ? n.hi : n.lo;
            a[i] = (byte) (word >>> (56 - 8 * (i & 7)));
        }
        return new Prefix(a, n.bits);
    }

    private V insert(boolean v6, long hi, long lo, int bits, V peer) {
        Objects.requireNonNull(peer, "peer");
        hi &= maskHi(bits);
        lo &= maskLo(bits);
        Node<V> parent = null;
        Node<V> node = v6 ? root6 : root4;
        while (node != null && node.bits <= bits && matches(node, hi, lo)) {
            if (node.bits == bits) {
                V previous = node.owner;
                if (previous == null) {
                    size++; // a branch point becomes a prefix of its own
                }
                setOwner(node, peer);
                return previous;
            }
            parent = node;
            node = bit(hi, lo, node.bits) == 0 ? node.zero : node.one;
        }
        Node<V> fresh = new Node<>(hi, lo, bits, v6);
        setOwner(fresh, peer);
        size++;
        Node<V> replacement;
        if (node == null) {
            replacement = fresh;
        } else if (node.bits > bits && matches(fresh, node.hi, node.lo)) {
            // The new prefix contains the subtree found here: it becomes that subtree's parent.
            attach(fresh, node);
            replacement = fresh;
        } else {
            // Neither contains the other: branch where they first differ.
            int common = Math.min(commonBits(hi, lo, node.hi, node.lo), Math.min(bits, node.bits));
            Node<V> branch = new Node<>(hi & maskHi(common), lo & maskLo(common), common, v6);
            attach(branch, node);
            attach(branch, fresh);
            replacement = branch;
        }
        if (parent == null) {
            if (v6) root6 = replacement; else root4 = replacement;
        } else {
            attach(parent, replacement);
        }
        return null;
    }

    /** Hangs {@code child} under {@code parent} on the side of the child's next bit. */
    private static <V> void attach(Node<V> parent, Node<V> child) {
        if (bit(child.hi, child.lo, parent.bits) == 0) {
            parent.zero = child;
        } else {
            parent.one = child;
        }
    }

    private void setOwner(Node<V> node, V peer) {
        if (node.owner != null) {
            Set<Node<V>> old = byOwner.get(node.owner);
            old.remove(node);
            if (old.isEmpty()) {
                byOwner.remove(node.owner);
            }
        }
        node.owner = peer;
        byOwner.computeIfAbsent(peer, k -> new LinkedHashSet<>()).add(node);
        if (isHost(node)) {
            (node.v6 ? hosts6 : hosts4).put(node.hi, node.lo, peer);
        }
    }

    private static boolean isHost(Node<?> node) {
        return node.bits == (node.v6 ? 128 : 32);
    }

    private void unhost(Node<V> node) {
        if (isHost(node)) {
            (node.v6 ? hosts6 : hosts4).remove(node.hi, node.lo);
        }
    }

    private V remove(boolean v6, long hi, long lo, int bits) {
        hi &= maskHi(bits);
        lo &= maskLo(bits);
        Node<V> node = v6 ? root6 : root4;
        while (node != null && node.bits < bits && matches(node, hi, lo)) {
            node = bit(hi, lo, node.bits) == 0 ? node.zero : node.one;
        }
        if (node == null || node.bits != bits || !matches(node, hi, lo) || node.owner == null) {
            return null;
        }
        V previous = node.owner;
        Set<Node<V>> set = byOwner.get(previous);
        set.remove(node);
        if (set.isEmpty()) {
            byOwner.remove(previous);
        }
        node.owner = null;
        unhost(node);
        size--;
        if (v6) {
            root6 = prune(root6, node);
        } else {
            root4 = prune(root4, node);
        }
        return previous;
    }

    /**
     * Restores "an ownerless node has two children" along the path to {@code target}, which just
     * lost its owner; returns the subtree that replaces {@code node}. Recursion depth is at most
     * the number of prefix lengths on the path (129).
     */
    private static <V> Node<V> prune(Node<V> node, Node<V> target) {
        if (node == null) {
            return null;
        }
        if (node != target) {
            if (bit(target.hi, target.lo, node.bits) == 0) {
                node.zero = prune(node.zero, target);
            } else {
                node.one = prune(node.one, target);
            }
        }
        if (node.owner != null) {
            return node;
        }
        if (node.zero == null) {
            return node.one;
        }
        if (node.one == null) {
            return node.zero;
        }
        return node;
    }

    private static <V> void walk(Node<V> node, BiConsumer<Prefix, V> action) {
        if (node == null) {
            return;
        }
        if (node.owner != null) {
            action.accept(toPrefix(node), node.owner);
        }
        walk(node.zero, action);
        walk(node.one, action);
    }
}
