package io.switchyard.cli.it;

import io.switchyard.io.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A stock wireguard-go client in its own namespace whose only peer is the hub: it owns
 * {@code overlay}/32 (and, dual-stack, {@code overlay6}/128) inside the overlay and routes the
 * whole overlay to the hub. Configured with the real {@code wg} tool over wireguard-go's UAPI
 * socket.
 *
 * <p>The binary is Debian's {@code /usr/bin/wireguard-go} unless {@code SWITCHYARD_WIREGUARD_GO}
 * names another (a current release, to run the same interop tests against it).
 */
final class WgGoClient implements AutoCloseable {
    static final Path WIREGUARD_GO = Path.of(System.getenv().getOrDefault("SWITCHYARD_WIREGUARD_GO", "/usr/bin/wireguard-go"));
    static final Path WG = Path.of("/usr/bin/wg");
    static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    final Netns ns;
    final String ifname;
    final String privateKey;
    final String publicKey;
    final String overlay;
    /** The inner IPv6 address, or null for an IPv4-only client. */
    final String overlay6;
    private Process process;

    WgGoClient(Netns ns, String ifname, String privateKey, String overlay) throws IOException {
        this(ns, ifname, privateKey, overlay, null);
    }

    WgGoClient(Netns ns, String ifname, String privateKey, String overlay, String overlay6) throws IOException {
        this.ns = ns;
        this.ifname = ifname;
        this.privateKey = privateKey;
        this.publicKey = wgPubkey(privateKey);
        this.overlay = overlay;
        this.overlay6 = overlay6;
    }

    /** {@code ip:port} as {@code wg} and config files take it: an IPv6 literal in brackets. */
    static String endpoint(String ip, int port) {
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + port;
    }

    /** The version wireguard-go reports, for the test's output. */
    static String version() throws IOException {
        return Netns.run(WIREGUARD_GO.toString(), "--version").out().strip().lines().findFirst().orElse("?");
    }

    static String unavailable() {
        if (!Files.isExecutable(WIREGUARD_GO)) {
            return WIREGUARD_GO + " is not installed (apt-get install wireguard-go)";
        }
        if (!Files.isExecutable(WG)) {
            return WG + " is not installed (apt-get install wireguard-tools)";
        }
        for (String tool : new String[] {"ping", "iperf3"}) {
            if (!Files.isExecutable(Path.of("/usr/bin", tool)) && !Files.isExecutable(Path.of("/bin", tool))) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    static String wgGenkey() throws IOException {
        Commands.Result r = Netns.run(WG.toString(), "genkey");
        if (r.exit() != 0) {
            throw new IOException("wg genkey: " + r.out());
        }
        return r.out().strip();
    }

    static String wgPubkey(String privateKey) throws IOException {
        Process p = new ProcessBuilder(WG.toString(), "pubkey").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write((privateKey + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("wg pubkey: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    /** Starts wireguard-go and configures it towards {@code hubEndpoint} ("ip:port" or "[ip6]:port"). */
    void start(String hubPublicKey, String hubEndpoint, String overlayCidr) throws IOException, InterruptedException {
        start(hubPublicKey, hubEndpoint, 0, List.of(overlayCidr));
    }

    /**
     * Starts wireguard-go with the hub as its only peer. {@code hubEndpoint} may be null: then
     * the client only answers, and learns the hub's endpoint from the hub's handshake initiation;
     * {@code listenPort} 0 lets wireguard-go pick one. {@code overlayCidrs} are routed to the hub
     * (its AllowedIPs here); the client's own addresses take the prefix length of the one of
     * their family.
     */
    void start(String hubPublicKey, String hubEndpoint, int listenPort, List<String> overlayCidrs)
            throws IOException, InterruptedException {
        ProcessBuilder pb = ns.process(WIREGUARD_GO.toString(), "-f", ifname)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        process = pb.start();
        Path socket = SOCKET_DIR.resolve(ifname + ".sock");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
        while (!Files.exists(socket)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("wireguard-go " + ifname + " did not start");
            }
            Thread.sleep(20);
        }
        Path key = Files.createTempFile("syit-key", ".txt", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(key, privateKey + "\n");
            List<String> set = new ArrayList<>(List.of("set", ifname, "private-key", key.toString()));
            if (listenPort != 0) {
                set.addAll(List.of("listen-port", Integer.toString(listenPort)));
            }
            set.addAll(List.of("peer", hubPublicKey));
            if (hubEndpoint != null) {
                set.addAll(List.of("endpoint", hubEndpoint));
            }
            set.addAll(List.of("allowed-ips", String.join(",", overlayCidrs), "persistent-keepalive", "1"));
            wg(set.toArray(String[]::new));
        } finally {
            Files.deleteIfExists(key);
        }
        for (String cidr : overlayCidrs) {
            boolean v6 = cidr.indexOf(':') >= 0;
            String own = v6 ? overlay6 : overlay;
            if (own != null) {
                ns.addAddress(ifname, own + "/" + cidr.substring(cidr.indexOf('/') + 1));
            }
        }
        ns.must("ip", "link", "set", ifname, "up");
    }

    String wg(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = WG.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Commands.Result r = Netns.run(cmd);
        if (r.exit() != 0) {
            throw new IOException("wg " + String.join(" ", args) + ": " + r.out());
        }
        return r.out();
    }

    /** Stops wireguard-go (its interface goes with it). */
    void stop() throws InterruptedException, IOException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
            Files.deleteIfExists(SOCKET_DIR.resolve(ifname + ".sock"));
        }
    }

    /** {@code ping -c count} from this client; returns the number of replies received. */
    int ping(String to, int count, String... extra) throws IOException {
        return replies(pingOutput(to, count, extra));
    }

    /** The number of replies a {@code ping} output reports. */
    static int replies(String pingOutput) throws IOException {
        var m = java.util.regex.Pattern.compile("(\\d+) (packets )?received").matcher(pingOutput);
        if (!m.find()) {
            throw new IOException("unexpected ping output: " + pingOutput);
        }
        return Integer.parseInt(m.group(1));
    }

    /** {@code ping -c count} from this client (one every 0.2 s); returns what it printed. */
    String pingOutput(String to, int count, String... extra) throws IOException {
        String[] cmd = new String[6 + extra.length];
        int i = 0;
        cmd[i++] = "ping";
        cmd[i++] = "-c";
        cmd[i++] = Integer.toString(count);
        cmd[i++] = "-i";
        cmd[i++] = "0.2";
        for (String e : extra) {
            cmd[i++] = e;
        }
        cmd[i] = to;
        return ns.exec(cmd).out();
    }

    /** One iperf3 TCP run: its exit status, output, and the receiver's totals (-1 where absent). */
    record Iperf(int exit, String out, long receivedBytes, double receivedBitsPerSecond, long retransmits) {}

    /**
     * Runs iperf3 TCP from this client to {@code server}'s overlay address for {@code seconds}
     * (the server side is started and stopped here; the client retries for up to 5 s while the
     * server starts listening) and parses the receiver's totals from the JSON report.
     */
    Iperf iperfTo(WgGoClient server, int seconds) throws IOException, InterruptedException {
        return iperfTo(server, server.overlay, seconds);
    }

    /** {@link #iperfTo(WgGoClient, int)} to one of {@code server}'s overlay addresses (IPv4 or IPv6). */
    Iperf iperfTo(WgGoClient server, String address, int seconds) throws IOException, InterruptedException {
        Process s = server.ns.process("iperf3", "-s", "-1", "-B", address)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Commands.Result r = null;
            // The server needs a moment to listen. iperf3 3.12 with -J exits 0 even when it could
            // not connect (the JSON carries "error" instead), so a refused attempt is recognised by
            // that field, not by the exit status; a one-off server (-1) is still waiting then.
            boolean failed = true;
            for (int attempt = 0; attempt < 50 && failed; attempt++) {
                if (attempt > 0) {
                    Thread.sleep(100);
                }
                r = ns.exec("iperf3", "-c", address, "-t", Integer.toString(seconds), "-J");
                failed = r.exit() != 0 || r.out().contains("\"error\":");
            }
            if (failed && r.exit() == 0) {
                r = new Commands.Result(1, r.out());
            }
            var received = java.util.regex.Pattern.compile(
                    "\"sum_received\":\\s*\\{[^}]*?\"bytes\":\\s*(\\d+)[^}]*?\"bits_per_second\":\\s*([0-9.e+]+)",
                    java.util.regex.Pattern.DOTALL).matcher(r.out());
            var retransmits = java.util.regex.Pattern.compile("\"sum_sent\":\\s*\\{[^}]*?\"retransmits\":\\s*(\\d+)",
                    java.util.regex.Pattern.DOTALL).matcher(r.out());
            boolean found = received.find();
            return new Iperf(r.exit(), r.out(), found ? Long.parseLong(received.group(1)) : -1,
                    found ? Double.parseDouble(received.group(2)) : -1,
                    retransmits.find() ? Long.parseLong(retransmits.group(1)) : -1);
        } finally {
            s.destroy();
            s.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
