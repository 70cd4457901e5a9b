package io.switchyard.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * One of the interface's own overlay addresses, as wg-quick's {@code Address} names it
 * ({@code 10.99.0.1/24}, {@code fd00::1/64}): the host address is kept (unlike {@link IpPrefix},
 * which clears host bits), the prefix length says the subnet. Switchyard answers on these
 * addresses itself (ICMP echo, local UDP endpoints) instead of routing them to a peer.
 */
public final class InterfaceAddress {
    private final byte[] address;
    private final int prefixLength;

    private InterfaceAddress(byte[] address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    static final String EXPECTED = "an IP address with an optional prefix length, such as 10.99.0.1/24 or fd00::1/64";

    /**
     * Parses {@code address[/bits]}; a bare address gets /32 or /128.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static InterfaceAddress parse(String text) {
        int slash = text.indexOf('/');
        byte[] a = IpLiterals.parse(slash < 0 ? text : text.substring(0, slash));
        if (a == null) {
            throw new IllegalArgumentException(EXPECTED);
        }
        int bits = slash < 0 ? a.length * 8 : IpPrefix.parse(text).bits(); // IpPrefix checks the length part
        return new InterfaceAddress(a, bits);
    }

    /** A copy of the address bytes (4 or 16). */
    public byte[] addressBytes() {
        return address.clone();
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** The address (no name lookup happens). */
    public InetAddress address() {
        try {
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InterfaceAddress a && prefixLength == a.prefixLength && Arrays.equals(address, a.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    /** Canonical text: dotted quad or RFC 5952, with the length. */
    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + prefixLength;
    }
}
