package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.SIN6_ADDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.SIN6_FAMILY;
import static io.switchyard.io.linux.LinuxStructs.SIN6_FLOWINFO;
import static io.switchyard.io.linux.LinuxStructs.SIN6_PORT;
import static io.switchyard.io.linux.LinuxStructs.SIN6_SCOPE_ID;
import static io.switchyard.io.linux.LinuxStructs.SIN6_V4MAPPED_MARK_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.SIN6_V4MAPPED_V4_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.SIN_ADDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.SIN_FAMILY;
import static io.switchyard.io.linux.LinuxStructs.SIN_PORT;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_IN;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_IN6;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A socket address kept as the kernel's bytes ({@code sockaddr_in} or {@code sockaddr_in6}) in
 * native memory, so that the data path compares and copies endpoints without allocating.
 * Decoding to an {@link InetSocketAddress} allocates and is meant for logs, configuration and
 * the NIO transport (which caches the decoded form until the bytes change).
 *
 * <p>Equality is byte equality of the used length. An IPv4 peer seen on a dual-stack socket
 * arrives as an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); {@link #set} with
 * {@code mapToIpv6} produces that form so a configured endpoint compares equal to what is received.
 *
 * <p>Not thread-safe: one owner writes it.
 */
public final class SockAddr {
    private static final ValueLayout.OfLong LONG_U = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT_U = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT_U = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final long WORD = Long.BYTES;
    private static final int IN_LEN = (int) SOCKADDR_IN.byteSize();
    private static final int IN6_LEN = (int) SOCKADDR_IN6.byteSize();

    private final MemorySegment bytes;
    private InetSocketAddress decoded;

    private SockAddr(MemorySegment bytes) {
        this.bytes = bytes;
    }

    /** An empty (family 0) address in GC-managed native memory. */
    public static SockAddr allocate() {
        return new SockAddr(Arena.ofAuto().allocate(SOCKADDR_STORAGE, 8));
    }

    /** The address in its natural family (sockaddr_in for IPv4). */
    public static SockAddr of(InetSocketAddress address) {
        SockAddr a = allocate();
        a.set(address, false);
        return a;
    }

    /** The native bytes (32 bytes reserved, {@link #length()} used). */
    public MemorySegment segment() {
        return bytes;
    }

    /** AF_INET, AF_INET6, or 0 when empty. */
    public int family() {
        return family(bytes, 0);
    }

    /** sockaddr length for the family: 16, 28, or 0 when empty. */
    public int length() {
        return length(family());
    }

    public int port() {
        return port(bytes, 0);
    }

    /** Sets this address; IPv4 becomes {@code ::ffff:a.b.c.d} in a sockaddr_in6 when {@code mapToIpv6}. */
    public SockAddr set(InetSocketAddress address, boolean mapToIpv6) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        encode(address, bytes, 0, mapToIpv6);
        decoded = address;
        return this;
    }

    /** Copies a kernel socket address from {@code src} at {@code offset} (family decides the length). */
    public void copyFrom(MemorySegment src, long offset) {
        int len = length(family(src, offset));
        bytes.fill((byte) 0);
        if (len > 0) {
            MemorySegment.copy(src, offset, bytes, 0, len);
        }
        decoded = null;
    }

    /** True if {@code src} at {@code offset} holds the same address bytes. */
    public boolean sameAs(MemorySegment src, long offset) {
        int len = length();
        if (len == 0 || family(src, offset) != family()) {
            return false;
        }
        // Word compares, not MemorySegment.mismatch: a peer actor asks this of every packet it
        // receives, and for 16 or 28 bytes mismatch's setup cost more than the compare (~2% of
        // the hub's CPU at 1,420 B in a profile of 2026-12-02).
        // A sockaddr_in is two words; a sockaddr_in6 three words and an int.
        long diff = (bytes.get(LONG_U, 0) ^ src.get(LONG_U, offset))
                | (bytes.get(LONG_U, WORD) ^ src.get(LONG_U, offset + WORD));
        if (len == IN_LEN) {
            return diff == 0;
        }
        if (len == IN6_LEN) {
            diff |= (bytes.get(LONG_U, 2 * WORD) ^ src.get(LONG_U, offset + 2 * WORD))
                    | (bytes.get(INT_U, 3 * WORD) ^ src.get(INT_U, offset + 3 * WORD));
            return diff == 0;
        }
        return MemorySegment.mismatch(bytes, 0, len, src, offset, offset + len) == -1;
    }

    /** Decodes (and caches) this address; allocates the first time after a change. */
    public InetSocketAddress toInetSocketAddress() {
        InetSocketAddress d = decoded;
        if (d == null) {
            d = decode(bytes, 0);
            decoded = d;
        }
        return d;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr other && other.sameAs(bytes, 0) && length() == other.length();
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0, n = length(); i < n; i++) {
            h = 31 * h + bytes.get(JAVA_BYTE, i);
        }
        return h;
    }

    @Override
    public String toString() {
        return family() == 0 ? "<none>" : String.valueOf(toInetSocketAddress());
    }

    // --- codec over raw memory, shared with the batches ---

    static int family(MemorySegment s, long offset) {
        return Short.toUnsignedInt((short) SIN_FAMILY.get(s, offset));
    }

    static int length(int family) {
        return family == Linux.AF_INET ? (int) SOCKADDR_IN.byteSize()
                : family == Linux.AF_INET6 ? (int) SOCKADDR_IN6.byteSize() : 0;
    }

    static int port(MemorySegment s, long offset) {
        return Short.toUnsignedInt((short) SIN_PORT.get(s, offset));
    }

    /** The 16 one bits before the IPv4 address of {@code ::ffff:a.b.c.d} (the same in either byte order). */
    private static final short V4MAPPED_MARK = (short) 0xffff;

    /** Writes {@code address} as a sockaddr at {@code offset}; returns its length. */
    static int encode(InetSocketAddress address, MemorySegment s, long offset, boolean mapToIpv6) {
        s.asSlice(offset, SOCKADDR_STORAGE).fill((byte) 0);
        InetAddress ip = address.getAddress();
        if (ip instanceof Inet4Address && !mapToIpv6) {
            SIN_FAMILY.set(s, offset, (short) Linux.AF_INET);
            SIN_PORT.set(s, offset, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, s, JAVA_BYTE, offset + SIN_ADDR_OFFSET, 4);
            return (int) SOCKADDR_IN.byteSize();
        }
        SIN6_FAMILY.set(s, offset, (short) Linux.AF_INET6);
        SIN6_PORT.set(s, offset, (short) address.getPort());
        SIN6_FLOWINFO.set(s, offset, 0);
        byte[] raw = ip.getAddress();
        if (raw.length == 4) {
            s.set(SHORT_U, offset + SIN6_V4MAPPED_MARK_OFFSET, V4MAPPED_MARK);
            MemorySegment.copy(raw, 0, s, JAVA_BYTE, offset + SIN6_V4MAPPED_V4_OFFSET, raw.length);
        } else {
            MemorySegment.copy(raw, 0, s, JAVA_BYTE, offset + SIN6_ADDR_OFFSET, 16);
            SIN6_SCOPE_ID.set(s, offset, ((Inet6Address) ip).getScopeId());
        }
        return (int) SOCKADDR_IN6.byteSize();
    }

    /** Rewrites a sockaddr_in at {@code offset} in place as an IPv4-mapped sockaddr_in6. */
    static void mapToIpv6InPlace(MemorySegment s, long offset) {
        int port = port(s, offset);
        int v4 = s.get(INT_U, offset + SIN_ADDR_OFFSET); // network order in, network order out
        s.asSlice(offset, SOCKADDR_STORAGE).fill((byte) 0);
        SIN6_FAMILY.set(s, offset, (short) Linux.AF_INET6);
        SIN6_PORT.set(s, offset, (short) port);
        s.set(SHORT_U, offset + SIN6_V4MAPPED_MARK_OFFSET, V4MAPPED_MARK);
        s.set(INT_U, offset + SIN6_V4MAPPED_V4_OFFSET, v4);
    }

    /** Decodes a sockaddr; an IPv4-mapped IPv6 address decodes as IPv4. Null when empty. */
    static InetSocketAddress decode(MemorySegment s, long offset) {
        int family = family(s, offset);
        try {
            if (family == Linux.AF_INET) {
                byte[] a = new byte[4];
                MemorySegment.copy(s, JAVA_BYTE, offset + SIN_ADDR_OFFSET, a, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(a), port(s, offset));
            }
            if (family == Linux.AF_INET6) {
                byte[] a = new byte[16];
                MemorySegment.copy(s, JAVA_BYTE, offset + SIN6_ADDR_OFFSET, a, 0, 16);
                int scope = (int) SIN6_SCOPE_ID.get(s, offset);
                InetAddress ip = InetAddress.getByAddress(a); // ::ffff:a.b.c.d comes back as Inet4Address
                if (ip instanceof Inet6Address && scope != 0) {
                    ip = Inet6Address.getByAddress(null, a, scope);
                }
                return new InetSocketAddress(ip, Short.toUnsignedInt((short) SIN6_PORT.get(s, offset)));
            }
            return null;
        } catch (UnknownHostException e) {
            throw new AssertionError("fixed-length address rejected", e);
        }
    }
}
