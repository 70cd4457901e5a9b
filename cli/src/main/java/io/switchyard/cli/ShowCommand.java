package io.switchyard.cli;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.control.ControlSnapshot;
import io.switchyard.control.PeerSnapshot;
import io.switchyard.control.UapiClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchyard show [NAME]}: a running hub's status, read through its control socket, laid
 * out like {@code wg show} with what {@code wg} cannot show: packet counts, drops by reason, the
 * data-path counters and rates. Rates come from two readings {@code --interval} apart (default
 * 1s; 0 skips them). Without a name, every interface in /var/run/wireguard is shown; one that is
 * not Switchyard (e.g. wireguard-go) is shown with what plain {@code get} gives.
 */
@Command(name = "show", description = "Show a running hub's peers, traffic, drops and rates (like `wg show`).")
final class ShowCommand implements Callable<Integer> {
    static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Interface name (default: all).")
    String name;

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket path (default: /var/run/wireguard/NAME.sock).")
    Path socket;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "Time between the two readings that give rates, e.g. 500ms, 2s; 0 for no rates (default: ${DEFAULT-VALUE}).")
    String interval;

    @Override
    public Integer call() throws Exception {
        return run(System.out, System.err);
    }

    int run(PrintStream out, PrintStream err) throws InterruptedException {
        Duration wait;
        try {
            wait = parseDuration(interval);
        } catch (IllegalArgumentException e) {
            err.println("switchyard show: --interval: " + e.getMessage());
            return 2;
        }
        Map<String, Path> targets = new java.util.LinkedHashMap<>();
        if (socket != null) {
            targets.put(name != null ? name : nameOf(socket), socket);
        } else if (name != null) {
            targets.put(name, SOCKET_DIR.resolve(name + ".sock"));
        } else {
            try (Stream<Path> files = Files.list(SOCKET_DIR)) {
                files.filter(p -> p.getFileName().toString().endsWith(".sock")).sorted()
                        .forEach(p -> targets.put(nameOf(p), p));
            } catch (IOException e) {
                // no directory: no interfaces
            }
            if (targets.isEmpty()) {
                err.println("switchyard show: no interfaces in " + SOCKET_DIR);
                return 1;
            }
        }
        Map<String, UapiClient.Status> first = new HashMap<>();
        int failures = 0;
        long t0 = System.nanoTime();
        for (var t : targets.entrySet()) {
            try {
                first.put(t.getKey(), UapiClient.status(t.getValue()));
            } catch (IOException e) {
                err.println("switchyard show: " + t.getKey() + " (" + t.getValue() + "): " + e.getMessage());
                failures++;
            }
        }
        double seconds = 0;
        Map<String, UapiClient.Status> second = new HashMap<>();
        if (!wait.isZero() && !first.isEmpty()) {
            Thread.sleep(wait);
            for (String n : first.keySet()) {
                try {
                    second.put(n, UapiClient.status(targets.get(n)));
                } catch (IOException e) {
                    // gone between the readings: show the first without rates
                }
            }
            seconds = (System.nanoTime() - t0) / 1e9;
        }
        boolean firstBlock = true;
        for (String n : targets.keySet()) {
            UapiClient.Status a = first.get(n);
            if (a == null) {
                continue;
            }
            UapiClient.Status b = second.get(n);
            if (!firstBlock) {
                out.println();
            }
            firstBlock = false;
            out.print(render(n, b == null ? a : b, b == null ? null : a, seconds, Instant.now()));
        }
        return failures == 0 ? 0 : 1;
    }

    private static String nameOf(Path socket) {
        String f = socket.getFileName().toString();
        return f.endsWith(".sock") ? f.substring(0, f.length() - 5) : f;
    }

    /**
     * The text for one interface.
     *
     * @param now the newer reading
     * @param before an older reading for rates, or null
     * @param seconds time between the readings
     */
    static String render(String name, UapiClient.Status now, UapiClient.Status before, double seconds, Instant clock) {
        StringBuilder sb = new StringBuilder();
        ControlSnapshot s = now.snapshot();
        sb.append("interface: ").append(name).append('\n');
        now.publicKey().ifPresent(k -> sb.append("  public key: ").append(k).append('\n')
                .append("  private key: (hidden)\n"));
        if (s.listenPort() != 0) {
            sb.append("  listening port: ").append(s.listenPort()).append('\n');
        }
        if (now.fwMark() != 0) {
            sb.append("  fwmark: 0x").append(Long.toHexString(now.fwMark())).append('\n');
        }
        if (now.extended()) {
            sb.append("  received: ").append(bytes(s.rxBytes())).append(", ").append(count(s.rxPackets())).append(" packets\n");
            sb.append("  sent: ").append(bytes(s.txBytes())).append(", ").append(count(s.txPackets())).append(" packets\n");
            if (before != null && seconds > 0) {
                ControlSnapshot o = before.snapshot();
                sb.append("  rates: ").append(rates(s.rxBytes() - o.rxBytes(), s.rxPackets() - o.rxPackets(),
                        s.txBytes() - o.txBytes(), s.txPackets() - o.txPackets(), seconds)).append('\n');
            }
            sb.append("  handshakes: ").append(count(s.handshakesCompleted())).append(" completed, ")
                    .append(count(s.cookieRepliesSent())).append(" cookie replies sent\n");
            sb.append("  drops: ").append(drops(s.drops(), before == null ? null : before.snapshot().drops(), seconds)).append('\n');
            // the hub keeps dozens of counters, most of them zero on a healthy hub
            String counters = s.counters().entrySet().stream().filter(e -> e.getValue() != 0)
                    .map(e -> e.getKey() + " " + count(e.getValue())).collect(Collectors.joining(", "));
            if (!counters.isEmpty()) {
                sb.append("  counters: ").append(counters).append('\n');
            }
        } else {
            sb.append("  (not a Switchyard hub: no packet counts, drops or counters)\n");
        }
        Map<Key32, PeerSnapshot> old = new HashMap<>();
        if (before != null) {
            for (PeerSnapshot p : before.snapshot().peers()) {
                old.put(p.publicKey(), p);
            }
        }
        // like wg: peers with the most recent handshake first, then the rest in config order
        List<PeerSnapshot> peers = new ArrayList<>(s.peers());
        peers.sort((x, y) -> {
            long hx = x.lastHandshake().map(Instant::getEpochSecond).orElse(0L);
            long hy = y.lastHandshake().map(Instant::getEpochSecond).orElse(0L);
            return Long.compare(hy, hx);
        });
        for (PeerSnapshot p : peers) {
            sb.append('\n').append("peer: ").append(p.publicKey()).append('\n');
            p.endpoint().ifPresent(e -> sb.append("  endpoint: ").append(endpoint(e)).append('\n'));
            sb.append("  allowed ips: ").append(p.allowedIps().isEmpty() ? "(none)"
                    : p.allowedIps().stream().map(IpPrefix::toString).collect(Collectors.joining(", "))).append('\n');
            p.lastHandshake().ifPresent(h -> sb.append("  latest handshake: ")
                    .append(ago(Duration.between(h, clock))).append('\n'));
            if (p.rxBytes() != 0 || p.txBytes() != 0) {
                sb.append("  transfer: ").append(bytes(p.rxBytes())).append(" received, ").append(bytes(p.txBytes()))
                        .append(" sent\n");
            }
            PeerSnapshot o = old.get(p.publicKey());
            if (o != null && seconds > 0 && now.extended()) {
                sb.append("  rates: ").append(rates(p.rxBytes() - o.rxBytes(), p.rxPackets() - o.rxPackets(),
                        p.txBytes() - o.txBytes(), p.txPackets() - o.txPackets(), seconds)).append('\n');
            }
            if (p.drops().values().stream().anyMatch(v -> v != 0)) {
                sb.append("  drops: ").append(drops(p.drops(), o == null ? null : o.drops(), seconds)).append('\n');
            }
            if (p.persistentKeepaliveSeconds() != 0) {
                sb.append("  persistent keepalive: every ").append(p.persistentKeepaliveSeconds()).append(" seconds\n");
            }
        }
        return sb.toString();
    }

    private static String endpoint(InetSocketAddress e) {
        String host = e.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + e.getPort();
    }

    private static String drops(Map<String, Long> now, Map<String, Long> before, double seconds) {
        long total = now.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(count(total)).append(" (");
        sb.append(now.entrySet().stream().filter(e -> e.getValue() != 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + count(e.getValue())).collect(Collectors.joining(", ")));
        sb.append(')');
        if (before != null && seconds > 0) {
            long old = before.values().stream().mapToLong(Long::longValue).sum();
            sb.append(", ").append(String.format(Locale.ROOT, "%.1f", (total - old) / seconds)).append("/s now");
        }
        return sb.toString();
    }

    private static String rates(long rxBytes, long rxPackets, long txBytes, long txPackets, double seconds) {
        return "rx " + bits(rxBytes * 8 / seconds) + ", " + count(Math.round(rxPackets / seconds)) + " pkt/s; tx "
                + bits(txBytes * 8 / seconds) + ", " + count(Math.round(txPackets / seconds)) + " pkt/s";
    }

    /** wg's transfer units: B, KiB, MiB, GiB, TiB with two decimals. */
    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    static String bits(double bps) {
        String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
        int u = 0;
        while (bps >= 1000 && u < units.length - 1) {
            bps /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.2f %s", bps, units[u]);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** "1 day, 2 hours, 3 minutes, 4 seconds ago", like wg; "Now" under a second. */
    static String ago(Duration d) {
        long s = d.getSeconds();
        if (s <= 0) {
            return "Now";
        }
        List<String> parts = new ArrayList<>();
        long[] sizes = {365L * 86400, 86400, 3600, 60, 1};
        String[] names = {"year", "day", "hour", "minute", "second"};
        for (int i = 0; i < sizes.length; i++) {
            long n = s / sizes[i];
            s %= sizes[i];
            if (n > 0) {
                parts.add(n + " " + names[i] + (n == 1 ? "" : "s"));
            }
        }
        return String.join(", ", parts) + " ago";
    }

    /** {@code 0}, {@code 500ms}, {@code 2s}, {@code 1m}; a bare number is seconds. */
    static Duration parseDuration(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
            } else if (t.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
            } else {
                d = Duration.ofSeconds(Long.parseLong(t));
            }
            if (d.isNegative() || d.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("expected 0..1h, got " + text);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a duration such as 500ms or 2s, got " + text);
        }
    }
}
