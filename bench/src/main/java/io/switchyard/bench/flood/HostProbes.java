package io.switchyard.bench.flood;

import io.switchyard.bench.Commands;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for what the harness reads from the host: {@code /proc} files, {@code ping},
 * {@code iperf3 -J}, {@code jstat -gc} and {@code tcpdump -x}. Pure functions of text, so that
 * their tests need no root.
 */
final class HostProbes {
    private HostProbes() {}

    /** Clock ticks per second ({@code getconf CLK_TCK}): the unit of {@code /proc/PID/stat}'s times. */
    static final long CLOCK_TICKS = clockTicks();

    private static long clockTicks() {
        try {
            return Long.parseLong(Commands.run("getconf", "CLK_TCK").out().strip());
        } catch (java.io.IOException | NumberFormatException e) {
            return 100; // USER_HZ on every Linux architecture the JDK runs on
        }
    }

    /**
     * utime + stime from a {@code /proc/PID/stat} line (fields 14 and 15, in clock ticks). The
     * command name (field 2) is in parentheses and may hold spaces, so fields are counted after
     * the last ')'.
     */
    static long cpuTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split("\\s+");
        // f[0] is field 3 (state): utime is field 14, stime field 15
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A {@code kB} line of {@code /proc/PID/status}, such as {@code VmRSS}; -1 if absent. */
    static long statusKb(String status, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The sum of the drops column of a {@code /proc/net/udp} or {@code udp6} table. */
    static long udpDrops(String table) {
        long drops = 0;
        for (String line : table.split("\n")) {
            String[] f = line.strip().split("\\s+");
            // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
            if (f.length >= 13 && f[0].endsWith(":") && !f[0].equals("sl")) {
                drops += Long.parseLong(f[12]);
            }
        }
        return drops;
    }

    /** What {@code ping -q} reports: echoes sent and answered, and the round trip (ms; NaN if none came back). */
    record Ping(int sent, int received, double rttAvgMs, double rttMaxMs) {
        static Ping parse(String out) {
            Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) (?:packets )?received").matcher(out);
            if (!m.find()) {
                return new Ping(0, 0, Double.NaN, Double.NaN);
            }
            Matcher rtt = Pattern.compile("= ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+) ms").matcher(out);
            boolean r = rtt.find();
            return new Ping(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    r ? Double.parseDouble(rtt.group(2)) : Double.NaN, r ? Double.parseDouble(rtt.group(3)) : Double.NaN);
        }

        /** Echoes without an answer, percent of those sent (NaN if none was sent). */
        double lossPercent() {
            return sent == 0 ? Double.NaN : 100.0 * (sent - received) / sent;
        }
    }

    /** The receiver's totals of an {@code iperf3 -J} TCP run and the sender's retransmits (-1 where absent). */
    record Iperf(long receivedBytes, double bitsPerSecond, long retransmits) {
        static Iperf parse(String json) {
            Matcher received = Pattern.compile(
                    "\"sum_received\":\\s*\\{[^}]*?\"bytes\":\\s*(\\d+)[^}]*?\"bits_per_second\":\\s*([0-9.e+]+)",
                    Pattern.DOTALL).matcher(json);
            Matcher retransmits = Pattern.compile("\"sum_sent\":\\s*\\{[^}]*?\"retransmits\":\\s*(\\d+)",
                    Pattern.DOTALL).matcher(json);
            boolean found = received.find();
            return new Iperf(found ? Long.parseLong(received.group(1)) : -1,
                    found ? Double.parseDouble(received.group(2)) : -1,
                    retransmits.find() ? Long.parseLong(retransmits.group(1)) : -1);
        }
    }

    /** A JVM's heap from {@code jstat -gc}: used kB (survivors, eden, old), collections and their seconds. */
    record Gc(long heapUsedKb, long collections, double seconds) {}

    static Gc jstatGc(String out) {
        String[] lines = out.strip().split("\n");
        if (lines.length < 2) {
            return null;
        }
        String[] head = lines[0].strip().split("\\s+");
        String[] vals = lines[lines.length - 1].strip().split("\\s+");
        Map<String, Double> v = new HashMap<>();
        for (int i = 0; i < Math.min(head.length, vals.length); i++) {
            try {
                v.put(head[i], Double.parseDouble(vals[i]));
            } catch (NumberFormatException e) {
                // "-" for a column this collector does not have
            }
        }
        double used = v.getOrDefault("S0U", 0.0) + v.getOrDefault("S1U", 0.0) + v.getOrDefault("EU", 0.0)
                + v.getOrDefault("OU", 0.0);
        long collections = (long) (v.getOrDefault("YGC", 0.0) + v.getOrDefault("FGC", 0.0) + v.getOrDefault("CGC", 0.0));
        return new Gc((long) used, collections, v.getOrDefault("GCT", 0.0));
    }

    /**
     * The receiver index (as the little-endian wire word, ready for {@code Messages.writeInt}) of
     * the first IPv4 packet {@code tcpdump -x} printed; null if there is none. The hex dump starts
     * at the IP header, whose length is in its first byte; the UDP header is 8 bytes, and the
     * index is at offset 4 of the WireGuard message.
     */
    static Integer receiverIndexFromTcpdump(List<String> lines) {
        StringBuilder hex = new StringBuilder();
        boolean inPacket = false;
        for (String line : lines) {
            String s = line.strip();
            if (s.startsWith("0x")) {
                int colon = s.indexOf(':');
                hex.append(s.substring(colon + 1).replace(" ", ""));
                inPacket = true;
            } else if (inPacket) {
                break; // the first packet is complete
            }
        }
        if (hex.length() < 2) {
            return null;
        }
        byte[] b = HexFormat.of().parseHex(hex.length() % 2 == 0 ? hex : hex.substring(0, hex.length() - 1));
        int ihl = (b[0] & 0x0f) * 4;
        int at = ihl + 8 + 4;
        if ((b[0] >> 4 & 0x0f) != 4 || b.length < at + 4) {
            return null;
        }
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
