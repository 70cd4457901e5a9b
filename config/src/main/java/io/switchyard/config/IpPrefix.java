package io.switchyard.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network prefix ({@code 10.0.0.0/24}, {@code fd00::/64}) with its host bits
 * cleared, as used by AllowedIPs. Immutable; equality is by family, masked address and length.
 *
 * <p>Ordering ({@link #compareTo}) is IPv4 before IPv6, then by address as an unsigned number, then
 * shorter prefixes first: in that order a prefix comes right after every prefix that contains it,
 * which is what the overlap sweep in the parser relies on.
 */
public final class IpPrefix implements Comparable<IpPrefix> {
    private final byte[] address;
    private final int bits;

    private IpPrefix(byte[] address, int bits) {
        this.address = address;
        this.bits = bits;
    }

    /**
     * The prefix of {@code bits} leading bits of {@code address} (4 or 16 bytes); host bits are
     * cleared.
     */
    public static IpPrefix of(byte[] address, int bits) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("an IP address is 4 or 16 bytes, got " + address.length);
        }
        if (bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range 0.." + address.length * 8);
        }
        return new IpPrefix(mask(address.clone(), bits), bits);
    }

    /**
     * Parses {@code address[/bits]}; a bare address is a /32 or /128. Host bits are cleared; use
     * {@link #hasHostBits(String)} to find out whether the text had any.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        byte[] a = IpLiterals.parse(addr);
        if (a == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        int max = a.length * 8;
        int bits = max;
        if (slash >= 0) {
            String b = text.substring(slash + 1);
            if (b.isEmpty() || b.length() > 3 || !b.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (b.length() > 1 && b.charAt(0) == '0')) {
                throw new IllegalArgumentException(EXPECTED);
            }
            bits = Integer.parseInt(b);
            if (bits > max) {
                throw new IllegalArgumentException("a prefix length 0.." + max);
            }
        }
        return new IpPrefix(mask(a, bits), bits);
    }

    static final String EXPECTED = "an IP prefix such as 10.0.0.0/24, fd00::/64 or a bare address";

    /** True if {@code text} parses and names an address with bits set beyond its prefix. */
    static boolean hasHostBits(String text) {
        int slash = text.indexOf('/');
        byte[] a = IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        return a != null && !Arrays.equals(a, parse(text).address);
    }

    private static byte[] mask(byte[] a, int bits) {
        for (int i = 0; i < a.length; i++) {
            int keep = Math.clamp(bits - 8 * i, 0, 8);
            a[i] &= (byte) (0xff00 >>> keep);
        }
        return a;
    }

    /** True for IPv4. */
    public boolean isIpv4() {
        return address.length == 4;
    }

    /** The prefix length. */
    public int bits() {
        return bits;
    }

    /** A copy of the masked address bytes (4 or 16). */
    public byte[] addressBytes() {
        return address.clone();
    }

    /** The masked address (no name lookup happens). */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }

    /** True if every address of {@code other} is also in this prefix. */
    public boolean contains(IpPrefix other) {
        return other.address.length == address.length && other.bits >= bits
                && Arrays.equals(mask(other.address.clone(), bits), address);
    }

    /** True if {@code addr} (4 or 16 bytes) is in this prefix. */
    public boolean contains(byte[] addr) {
        return addr.length == address.length && Arrays.equals(mask(addr.clone(), bits), address);
    }

    /** True if the two prefixes share an address: for prefixes, one then contains the other. */
    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    @Override
    public int compareTo(IpPrefix o) {
        int c = Integer.compare(address.length, o.address.length);
        if (c == 0) {
            c = Arrays.compareUnsigned(address, o.address);
        }
        return c != 0 ? c : Integer.compare(bits, o.bits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && bits == p.bits && Arrays.equals(address, p.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + bits;
    }

    /** Canonical text: dotted quad or RFC 5952, always with the length. */
    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + bits;
    }
}
