package io.switchyard.cli.it;

import io.switchyard.config.ConfigParser;
import io.switchyard.router.Hub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * iperf3 through our hub against iperf3 through a wireguard-go hub (the kernel forwarding between
 * its TUN routes), same namespaces, same two wireguard-go clients, same hub key and port,
 * alternating rounds in one run. Needs root, wireguard-go, wg, iperf3.
 *
 * <pre>
 * mvn -pl router test-compile   # (after mvn install -DskipTests of the reactor)
 * java --enable-native-access=ALL-UNNAMED \
 *   -cp "cli/target/test-classes:cli/target/classes:cli/target/lib/*" \
 *   io.switchyard.cli.it.InteropBench [rounds] [seconds]
 * </pre>
 */
public final class InteropBench {
    private static final int PORT = 51820;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String why = Netns.unavailable() != null ? Netns.unavailable() : WgGoClient.unavailable();
        if (why != null) {
            System.err.println("InteropBench: " + why);
            System.exit(2);
        }
        Netns.sweep();
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        List<Netns> namespaces = new ArrayList<>();
        List<WgGoClient> clients = new ArrayList<>();
        Netns hubNs = Netns.create(Netns.PREFIX + id + "-h");
        namespaces.add(hubNs);
        String hubPrivate = WgGoClient.wgGenkey();
        String hubPublic = WgGoClient.wgPubkey(hubPrivate);
        try {
            for (int i = 1; i <= 2; i++) {
                Netns ns = Netns.create(Netns.PREFIX + id + "-c" + i);
                namespaces.add(ns);
                hubNs.link("h" + id + i, "10.200." + i + ".1/24", ns, "c" + id + i, "10.200." + i + ".2/24");
                clients.add(new WgGoClient(ns, "wgc" + id + i, WgGoClient.wgGenkey(), "10.99.0." + i));
            }
            StringBuilder conf = new StringBuilder("[Interface]\nPrivateKey = " + hubPrivate + "\nListenPort = " + PORT + "\n");
            for (WgGoClient c : clients) {
                conf.append("\n[Peer]\nPublicKey = ").append(c.publicKey).append("\nAllowedIPs = ").append(c.overlay).append("/32\n");
            }
            var config = ConfigParser.parse("bench.conf", conf.toString(), Path.of(".")).config();
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).start(hubPublic, "10.200." + (i + 1) + ".1:" + PORT, "10.99.0.0/24");
            }
            hubNs.must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            System.out.printf(Locale.ROOT, "# iperf3 TCP 10.99.0.1 -> 10.99.0.2 through the hub, %d s per round, %d rounds%n",
                    seconds, rounds);
            System.out.println("| round | hub | Gbit/s | retransmits |");
            System.out.println("|---|---|---|---|");
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            for (int r = 0; r <= rounds; r++) { // round 0 warms both up and is discarded
                for (String kind : new String[] {"switchyard", "wireguard-go"}) {
                    double[] result;
                    if (kind.equals("switchyard")) {
                        try (Hub hub = hubNs.inside(() -> Hub.start(config))) {
                            rehandshake(clients, hubPublic);
                            result = iperf(clients, seconds);
                        }
                    } else {
                        WgGoHub wg = new WgGoHub(hubNs, "wgh" + id, hubPrivate, PORT, "10.99.0.254/24", clients);
                        try {
                            rehandshake(clients, hubPublic);
                            result = iperf(clients, seconds);
                        } finally {
                            wg.stop();
                        }
                    }
                    if (r > 0) {
                        (kind.equals("switchyard") ? ours : theirs).add(result[0]);
                        System.out.printf(Locale.ROOT, "| %d | %s | %.3f | %.0f |%n", r, kind, result[0] / 1e9, result[1]);
                    }
                }
            }
            double mo = median(ours);
            double mt = median(theirs);
            System.out.printf(Locale.ROOT, "%nmedian: switchyard %.3f Gbit/s, wireguard-go hub %.3f Gbit/s, ratio %.2f%n",
                    mo / 1e9, mt / 1e9, mo / mt);
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < ours.size(); i++) {
                ratios.add(ours.get(i) / theirs.get(i));
            }
            System.out.printf(Locale.ROOT, "per-round ratios: %s%n", ratios.stream()
                    .map(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
        } finally {
            for (WgGoClient c : clients) {
                c.close();
            }
            for (Netns ns : namespaces) {
                ns.close();
            }
        }
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** Forgets the clients' sessions so each handshakes with whichever hub is now listening. */
    private static void rehandshake(List<WgGoClient> clients, String hubPublic) throws Exception {
        for (int i = 0; i < clients.size(); i++) {
            WgGoClient c = clients.get(i);
            c.wg("set", c.ifname, "peer", hubPublic, "remove");
            c.wg("set", c.ifname, "peer", hubPublic, "endpoint", "10.200." + (i + 1) + ".1:" + PORT,
                    "allowed-ips", "10.99.0.0/24", "persistent-keepalive", "1");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (clients.get(0).ping("10.99.0.2", 1, "-W", "1") != 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no path through the hub after 30 s");
            }
        }
    }

    /** Returns {bits per second received, retransmits}. */
    private static double[] iperf(List<WgGoClient> clients, int seconds) throws Exception {
        WgGoClient.Iperf r = clients.get(0).iperfTo(clients.get(1), seconds);
        if (r.exit() != 0 || r.receivedBytes() < 0) {
            throw new IllegalStateException("iperf3 failed: " + r.out());
        }
        return new double[] {r.receivedBitsPerSecond(), r.retransmits()};
    }
}
