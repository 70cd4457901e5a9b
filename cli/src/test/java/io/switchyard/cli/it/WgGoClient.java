package io.switchyard.cli.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A stock wireguard-go client in its own namespace whose only peer is the hub: it owns
 * {@code overlay}/32 inside the overlay and routes the whole overlay /24 to the hub.
 * Configured with the real {@code wg} tool over wireguard-go's UAPI socket.
 */
final class WgGoClient implements AutoCloseable {
    static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");
    static final Path WG = Path.of("/usr/bin/wg");
    static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    final Netns ns;
    final String ifname;
    final String privateKey;
    final String publicKey;
    final String overlay;
    private Process process;

    WgGoClient(Netns ns, String ifname, String privateKey, String overlay) throws IOException {
        this.ns = ns;
        this.ifname = ifname;
        this.privateKey = privateKey;
        this.publicKey = wgPubkey(privateKey);
        this.overlay = overlay;
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
        Netns.Result r = Netns.run(WG.toString(), "genkey");
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

    /** Starts wireguard-go and configures it towards {@code hubEndpoint} ("ip:port"). */
    void start(String hubPublicKey, String hubEndpoint, String overlayCidr) throws IOException, InterruptedException {
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
            wg("set", ifname, "private-key", key.toString(), "peer", hubPublicKey, "endpoint", hubEndpoint,
                    "allowed-ips", overlayCidr, "persistent-keepalive", "1");
        } finally {
            Files.deleteIfExists(key);
        }
        ns.must("ip", "addr", "add", overlay + "/" + overlayCidr.substring(overlayCidr.indexOf('/') + 1), "dev", ifname);
        ns.must("ip", "link", "set", ifname, "up");
    }

    String wg(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = WG.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Netns.Result r = Netns.run(cmd);
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
        Netns.Result r = ns.exec(cmd);
        var m = java.util.regex.Pattern.compile("(\\d+) (packets )?received").matcher(r.out());
        if (!m.find()) {
            throw new IOException("unexpected ping output: " + r.out());
        }
        return Integer.parseInt(m.group(1));
    }

    /** One iperf3 TCP run: its exit status, output, and the receiver's totals (-1 where absent). */
    record Iperf(int exit, String out, long receivedBytes, double receivedBitsPerSecond, long retransmits) {}

    /**
     * Runs iperf3 TCP from this client to {@code server}'s overlay address for {@code seconds}
     * (the server side is started and stopped here; the client retries for up to 5 s while the
     * server starts listening) and parses the receiver's totals from the JSON report.
     */
    Iperf iperfTo(WgGoClient server, int seconds) throws IOException, InterruptedException {
        Process s = server.ns.process("iperf3", "-s", "-1", "-B", server.overlay)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Netns.Result r = null;
            // The server needs a moment to listen. iperf3 3.12 with -J exits 0 even when it could
            // not connect (the JSON carries "error" instead), so a refused attempt is recognised by
            // that field, not by the exit status; a one-off server (-1) is still waiting then.
            boolean failed = true;
            for (int attempt = 0; attempt < 50 && failed; attempt++) {
                if (attempt > 0) {
                    Thread.sleep(100);
                }
                r = ns.exec("iperf3", "-c", server.overlay, "-t", Integer.toString(seconds), "-J");
                failed = r.exit() != 0 || r.out().contains("\"error\":");
            }
            if (failed && r.exit() == 0) {
                r = new Netns.Result(1, r.out());
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
