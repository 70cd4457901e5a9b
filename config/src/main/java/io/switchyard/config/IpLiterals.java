package io.switchyard.config;

/**
 * Strict IP literal parsing and RFC 5952 formatting, without ever touching DNS.
 *
 * <p>{@code InetAddress.getByName} would resolve anything that is not a literal, and the JDK's
 * literal parsers accept BSD shorthands ({@code 10.1}) and zone ids that do not belong in a
 * config file, so the grammar is written out here: IPv4 is exactly four dotted decimal octets
 * without leading zeros; IPv6 is up to eight hex groups with at most one {@code ::} and an
 * optional dotted IPv4 tail, no zone.
 */
final class IpLiterals {
    private IpLiterals() {}

    /** 4 or 16 bytes, or null if {@code s} is not a literal of either family. */
    static byte[] parse(String s) {
        return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
    }

    static byte[] parseV4(String s) {
        byte[] out = new byte[4];
        return parseV4Into(s, out, 0) ? out : null;
    }

    private static boolean parseV4Into(String s, byte[] out, int at) {
        int n = s.length();
        int pos = 0;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (pos >= n || s.charAt(pos) != '.') {
                    return false;
                }
                pos++;
            }
            int start = pos;
            int value = 0;
            while (pos < n && pos - start < 3 && isDigit(s.charAt(pos))) {
                value = value * 10 + (s.charAt(pos) - '0');
                pos++;
            }
            int len = pos - start;
            if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
                return false;
            }
            out[at + octet] = (byte) value;
        }
        return pos == n;
    }

    static byte[] parseV6(String s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return null;
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" sits
        int pos = 0;
        if (s.startsWith("::")) {
            gap = 0;
            pos = 2;
            if (pos == n) {
                return new byte[16];
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        byte[] tail = null;
        while (true) {
            int start = pos;
            int value = 0;
            while (pos < n && pos - start < 4 && hex(s.charAt(pos)) >= 0) {
                value = (value << 4) | hex(s.charAt(pos));
                pos++;
            }
            if (pos < n && s.charAt(pos) == '.') {
                // dotted IPv4 tail: re-read from the group's start, must end the literal
                if (count > 6) {
                    return null;
                }
                tail = new byte[4];
                if (!parseV4Into(s.substring(start), tail, 0)) {
                    return null;
                }
                pos = n;
                break;
            }
            if (pos == start || count == 8) {
                return null;
            }
            groups[count++] = value;
            if (pos == n) {
                break;
            }
            if (s.charAt(pos) != ':') {
                return null;
            }
            pos++;
            if (pos < n && s.charAt(pos) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                pos++;
                if (pos == n) {
                    break;
                }
            } else if (pos == n) {
                return null; // trailing single ':'
            }
        }
        int total = count + (tail != null ? 2 : 0);
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        int shift = 8 - total; // groups the "::" stands for
        for (int i = 0; i < count; i++) {
            int g = (gap >= 0 && i >= gap) ? i + shift : i;
            out[2 * g] = (byte) (groups[i] >> 8);
            out[2 * g + 1] = (byte) groups[i];
        }
        if (tail != null) {
            System.arraycopy(tail, 0, out, 12, 4);
        }
        return out;
    }

    /** Dotted quad or RFC 5952 text (lower case, longest zero run of 2+ groups compressed). */
    static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (group(a, i) != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && group(a, j) == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        var sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(a, i)));
        }
        return sb.toString();
    }

    private static int group(byte[] a, int i) {
        return ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
