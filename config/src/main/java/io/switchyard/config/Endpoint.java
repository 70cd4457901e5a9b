package io.switchyard.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A UDP endpoint as written in a config file: {@code host:port}, {@code 192.0.2.1:51820} or
 * {@code [2001:db8::1]:51820}. A host name is kept as a name (lower-cased, since DNS is
 * case-insensitive) and is never resolved here: when and how often to resolve is the router's
 * decision. IP literals are kept in canonical text, without brackets.
 */
public record Endpoint(String host, int port) {

    static final String EXPECTED = "host:port, a.b.c.d:port or [ipv6]:port with a port 1..65535";

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        byte[] literal = IpLiterals.parse(host);
        if (literal != null) {
            host = IpLiterals.format(literal);
        } else if (isHostName(host)) {
            host = host.toLowerCase(Locale.ROOT);
        } else {
            throw new IllegalArgumentException("not a host name or IP literal: " + host);
        }
    }

    /**
     * The endpoint of a resolved socket address, as the config file would spell it (an IPv6
     * address compressed and in brackets, its scope left out).
     *
     * @throws IllegalArgumentException if {@code a} is unresolved or its port is 0
     */
    public static Endpoint of(InetSocketAddress a) {
        if (a.getAddress() == null) {
            throw new IllegalArgumentException("unresolved: " + a);
        }
        String host = a.getAddress().getHostAddress();
        int scope = host.indexOf('%');
        return new Endpoint(scope >= 0 ? host.substring(0, scope) : host, a.getPort());
    }

    /**
     * Parses the config-file spelling.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static Endpoint parse(String text) {
        String host;
        String portText;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(EXPECTED);
            }
            host = text.substring(1, close);
            if (IpLiterals.parseV6(host) == null) {
                throw new IllegalArgumentException("an IPv6 literal inside [...]");
            }
            portText = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || text.indexOf(':') != colon) {
                // more than one ':' without brackets is an unbracketed IPv6 address
                throw new IllegalArgumentException(EXPECTED);
            }
            host = text.substring(0, colon);
            if (IpLiterals.parseV4(host) == null && !isHostName(host)) {
                throw new IllegalArgumentException(EXPECTED);
            }
            portText = text.substring(colon + 1);
        }
        int port = parsePort(portText);
        if (port < 1) {
            throw new IllegalArgumentException(EXPECTED);
        }
        return new Endpoint(host, port);
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int p = Integer.parseInt(s);
        return p <= 65535 ? p : -1;
    }

    /**
     * RFC 1123 host names: dot-separated labels of letters, digits and hyphens, 1..63 characters,
     * not starting or ending with a hyphen, 253 characters in all. A name of digits and dots only
     * is refused, so that a mistyped address ({@code 10.0.0.300}) is not taken for a name.
     */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        boolean sawLetter = false;
        int labelStart = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len < 1 || len > 63 || s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return false;
                }
                labelStart = i + 1;
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-') {
                sawLetter = true;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return sawLetter;
    }

    /** True if the host is an IP literal rather than a name. */
    public boolean isLiteral() {
        return IpLiterals.parse(host) != null;
    }

    /** The literal address, or empty for a host name (no lookup happens). */
    public Optional<InetAddress> literalAddress() {
        byte[] a = IpLiterals.parse(host);
        if (a == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(a));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The config-file spelling, IPv6 literals in brackets. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
