package io.switchyard.bench.flood;

import io.switchyard.bench.Commands;
import io.switchyard.config.Key32;
import io.switchyard.control.ControlSnapshot;
import io.switchyard.control.UapiClient;
import io.switchyard.wireguard.Keys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One hub and everything around it, each in a network namespace of its own, joined to the hub's
 * namespace by a veth pair:
 *
 * <pre>
 *   client a, b, c   link: hub 10.212.i.1/24, client 10.212.i.2/24 (i = 1, 2, 3)
 *                    stock wireguard-go whose only peer is the hub; overlay 10.96.0.i/16
 *   flooder          link: hub 10.213.0.1/16, flooder 10.213.0.10, .11, ... (one address per source)
 *                    the flooding threads of {@link Flooder}; its authenticated peer owns 10.96.0.4/32
 *   offline peers    configured on the hub only: overlay 10.96.1.k/32 (then 10.96.2.k, ...),
 *                    stale endpoint 10.213.1.k:51820 on the flooder's link, where nobody answers ARP
 * </pre>
 *
 * The hub is {@code switchyard up} (a process, with the launcher's JVM options and a control
 * socket the harness reads its counters from) or wireguard-go with a TUN interface and the kernel
 * forwarding between its peers (as {@code e2e.Target.External.wireguardGo} runs it). An iperf3
 * server listens on b for the whole life of the topology. {@link #close} stops every process and
 * deletes every namespace; so does the JVM's exit (a shutdown hook) if the run dies first.
 *
 * <p>Why one file of about 530 lines: building, starting, reading and tearing down one topology
 * are one life cycle over the same namespaces and processes; split, each part would need the
 * others' names and handles.
 */
final class Topology implements AutoCloseable {
    /** Which hub runs in the hub namespace, with its one-letter tag (names of namespaces and interfaces). */
    enum HubKind {
        SWITCHYARD("switchyard", 's'), WGGO("wggo", 'g'), WGGO_DEBIAN("wggo-debian", 'd');

        final String label;
        final char tag;

        HubKind(String label, char tag) {
            this.label = label;
            this.tag = tag;
        }

        static HubKind of(String label) {
            for (HubKind h : values()) {
                if (h.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
                    return h;
                }
            }
            throw new IllegalArgumentException("unknown hub " + label + "; hubs: switchyard, wggo, wggo-debian");
        }
    }

    /**
     * How topologies are built: the wireguard-go binary of each client (a, b, c), the current
     * wireguard-go build (the {@code wggo} hub), the flooder's source addresses, the offline peers,
     * extra [Switchyard] lines and extra JVM options for our hub.
     */
    record Settings(List<Path> clientBinaries, Path currentWireguardGo, int sources, int offlinePeers,
            String switchyardSettings, String hubJvm) {}

    static final Path DEBIAN_WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");
    static final Path WG = Path.of("/usr/bin/wg");
    static final Path SOCKET_DIR = Path.of("/var/run/wireguard");
    static final int PORT = 51820;
    static final String FLOOD_LINK_HUB = "10.213.0.1";
    /** The flooding peer's overlay address (the fourth after a, b and c). */
    static final int FLOODER_PEER = 4;
    static final char[] CLIENT = {'a', 'b', 'c'};

    final HubKind kind;
    final Settings settings;
    final Key32 hubPrivate = Key32.of(Keys.generatePrivateKey());
    final Key32 hubPublic = Key32.of(Keys.publicKey(hubPrivate.toBytes()));
    /** The key of the flooder's authenticated peer (the sprayer), configured on the hub. */
    final Key32 flooderPeerPrivate = Key32.of(Keys.generatePrivateKey());

    /** The public keys of clients a, b and c. */
    final List<Key32> clientPublic = new ArrayList<>();
    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final List<FloodNetns> clientNs = new ArrayList<>();
    private final BlockingQueue<String> hubLines = new ArrayBlockingQueue<>(2000);
    FloodNetns hubNs;
    FloodNetns flooderNs;
    private Process hub;
    /** Our hub's control socket (null for wireguard-go). */
    Path controlSocket;
    private Thread shutdownHook;

    private Topology(HubKind kind, Settings settings) {
        this.kind = kind;
        this.settings = settings;
    }

    static String overlay(int i) {
        return "10.96.0." + i;
    }

    /** Offline peer {@code k} (0-based): 10.96.1.1, ..., 10.96.1.250, 10.96.2.1, ... */
    static String offlineOverlay(int k) {
        return "10.96." + (1 + k / 250) + "." + (k % 250 + 1);
    }

    static String staleEndpoint(int k) {
        return "10.213." + (1 + k / 250) + "." + (k % 250 + 1) + ":" + PORT;
    }

    static String flooderSource(int j) {
        return "10.213.0." + (10 + j);
    }

    /** Builds the topology; on failure, tears down what was built and throws. */
    static Topology build(HubKind kind, Settings settings) throws Exception {
        if (settings.sources() < 1 || settings.sources() > 240) {
            throw new IllegalArgumentException("--sources is 1..240");
        }
        if (settings.offlinePeers() < 0 || settings.offlinePeers() > 250 * 200) {
            throw new IllegalArgumentException("--offline is 0..50000");
        }
        Topology t = new Topology(kind, settings);
        t.shutdownHook = new Thread(t::closeQuietly);
        Runtime.getRuntime().addShutdownHook(t.shutdownHook);
        try {
            t.start();
            return t;
        } catch (Exception | Error e) {
            t.closeQuietly();
            throw e;
        }
    }

    private String tag() {
        return Character.toString(kind.tag);
    }

    /** A name unique on this machine (UAPI sockets are in one global directory): at most 15 characters. */
    private String ifname(String role) {
        return "syf" + ProcessHandle.current().pid() + kind.tag + role;
    }

    private void start() throws Exception {
        hubNs = ns(tag() + "h");
        flooderNs = ns(tag() + "f");
        for (int i = 1; i <= 3; i++) {
            FloodNetns c = ns(tag() + CLIENT[i - 1]);
            clientNs.add(c);
            hubNs.link("to-" + CLIENT[i - 1], List.of("10.212." + i + ".1/24"), c, "hub0", List.of("10.212." + i + ".2/24"));
        }
        List<String> sources = new ArrayList<>();
        for (int j = 0; j < settings.sources(); j++) {
            sources.add(flooderSource(j) + "/16");
        }
        hubNs.link("to-f", List.of(FLOOD_LINK_HUB + "/16"), flooderNs, "hub0", sources);

        List<Key32> clientKeys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clientKeys.add(Key32.of(Keys.generatePrivateKey()));
            clientPublic.add(Key32.of(Keys.publicKey(clientKeys.get(i).toBytes())));
        }
        if (kind == HubKind.SWITCHYARD) {
            startSwitchyard(clientKeys);
        } else {
            startWireguardGo(clientKeys);
        }
        for (int i = 1; i <= 3; i++) {
            startClient(i, clientKeys.get(i - 1));
        }
        // first handshakes: a, b and c each send (the hub learns every endpoint), b answers
        for (int from : new int[] {1, 3, 2}) {
            int to = from == 2 ? 1 : 2;
            Commands.Result r = clientNs.get(from - 1).exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "5", overlay(to));
            if (HostProbes.Ping.parse(r.out()).received() == 0) {
                throw new IOException(kind.label + ": client " + CLIENT[from - 1] + " cannot reach " + overlay(to)
                        + " through the hub: " + r.out() + hubOutput());
            }
        }
        Process iperf = clientNs.get(1).process("iperf3", "-s", "-B", overlay(2))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        cleanup.push(() -> stop(iperf));
    }

    private FloodNetns ns(String role) throws IOException {
        FloodNetns n = FloodNetns.create(role);
        cleanup.push(n);
        return n;
    }

    /** The hub's peers: a, b, c, the flooder's peer, then the offline peers with stale endpoints. */
    private String peerSections(List<Key32> clientKeys) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            sb.append("\n[Peer]\nPublicKey = ").append(pub(clientKeys.get(i - 1))).append("\nAllowedIPs = ")
                    .append(overlay(i)).append("/32\n");
        }
        sb.append("\n[Peer]\nPublicKey = ").append(pub(flooderPeerPrivate)).append("\nAllowedIPs = ")
                .append(overlay(FLOODER_PEER)).append("/32\n");
        for (int k = 0; k < settings.offlinePeers(); k++) {
            sb.append("\n[Peer]\nPublicKey = ").append(pub(Key32.of(Keys.generatePrivateKey()))).append("\nAllowedIPs = ")
                    .append(offlineOverlay(k)).append("/32\nEndpoint = ").append(staleEndpoint(k)).append("\n");
        }
        return sb.toString();
    }

    private static String pub(Key32 privateKey) {
        return Key32.of(Keys.publicKey(privateKey.toBytes())).toBase64();
    }

    /** The JVM options the {@code ./switchyard} launcher gives {@code up}, then {@code --hub-jvm}. */
    static List<String> switchyardJvmOptions(String extra) {
        List<String> o = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
                "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"));
        if (!extra.isBlank()) {
            o.addAll(List.of(extra.strip().split("\\s+")));
        }
        return o;
    }

    private void startSwitchyard(List<Key32> clientKeys) throws Exception {
        controlSocket = Path.of("/tmp", "syfl-" + ProcessHandle.current().pid() + "-" + kind.tag + ".sock");
        Files.deleteIfExists(controlSocket);
        String extra = settings.switchyardSettings().isBlank() ? ""
                : String.join("\n", settings.switchyardSettings().split(";")).strip() + "\n";
        Path file = privateFile("syfl-hub", ".conf", "[Interface]\nPrivateKey = " + hubPrivate.toBase64()
                + "\nListenPort = " + PORT + "\n\n[Switchyard]\n" + extra + "ControlSocket = " + controlSocket
                + "\nStatusInterval = 0\n" + peerSections(clientKeys));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(switchyardJvmOptions(settings.hubJvm()));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.switchyard.cli.Main", "up", "--no-watch",
                "--status-format", "text", file.toString()));
        hub = hubNs.process(cmd.toArray(String[]::new)).start();
        Process p = hub;
        cleanup.push(() -> {
            stop(p);
            Files.deleteIfExists(file);
            Files.deleteIfExists(controlSocket);
        });
        readHubOutput();
        awaitHubLine("listening on", Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(controlSocket)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("switchyard up never opened its control socket " + controlSocket + hubOutput());
            }
            Thread.sleep(20);
        }
    }

    private void startWireguardGo(List<Key32> clientKeys) throws Exception {
        Path binary = kind == HubKind.WGGO ? settings.currentWireguardGo() : DEBIAN_WIREGUARD_GO;
        requireExecutable(binary);
        hubNs.must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        hubNs.must("sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
        hubNs.must("sysctl", "-q", "-w", "net.ipv4.conf.default.send_redirects=0");
        String ifname = ifname("h");
        ProcessBuilder pb = hubNs.process(binary.toString(), "-f", ifname);
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        hub = pb.start();
        Process p = hub;
        cleanup.push(() -> {
            stop(p);
            Files.deleteIfExists(SOCKET_DIR.resolve(ifname + ".sock"));
        });
        readHubOutput();
        awaitSocket(ifname, hub);
        // wg setconf takes the same [Interface]/[Peer] format, minus wg-quick's extensions
        Path file = privateFile("syfl-wggo", ".conf", "[Interface]\nPrivateKey = " + hubPrivate.toBase64()
                + "\nListenPort = " + PORT + "\n" + peerSections(clientKeys));
        try {
            Commands.mustRun(WG.toString(), "setconf", ifname, file.toString());
        } finally {
            Files.deleteIfExists(file);
        }
        hubNs.must("ip", "addr", "add", "10.96.255.254/16", "dev", ifname);
        hubNs.must("ip", "link", "set", ifname, "up");
    }

    private void startClient(int i, Key32 key) throws Exception {
        Path binary = settings.clientBinaries().get(i - 1);
        requireExecutable(binary);
        FloodNetns ns = clientNs.get(i - 1);
        String ifname = ifname(Character.toString(CLIENT[i - 1]));
        ProcessBuilder pb = ns.process(binary.toString(), "-f", ifname).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        Process p = pb.start();
        cleanup.push(() -> {
            stop(p);
            Files.deleteIfExists(SOCKET_DIR.resolve(ifname + ".sock"));
        });
        awaitSocket(ifname, p);
        Path keyFile = privateFile("syfl-key", ".txt", key.toBase64() + "\n");
        try {
            Commands.mustRun(WG.toString(), "set", ifname, "private-key", keyFile.toString(), "peer", hubPublic.toBase64(),
                    "endpoint", "10.212." + i + ".1:" + PORT, "allowed-ips", "10.96.0.0/16", "persistent-keepalive", "25");
        } finally {
            Files.deleteIfExists(keyFile);
        }
        ns.must("ip", "addr", "add", overlay(i) + "/16", "dev", ifname);
        ns.must("ip", "link", "set", ifname, "up");
    }

    private static void requireExecutable(Path binary) throws IOException {
        if (!Files.isExecutable(binary)) {
            throw new IOException(binary + " is not executable (Debian's wireguard-go: apt-get install wireguard-go;"
                    + " the current build: --wireguard-go PATH)");
        }
        if (!Files.isExecutable(WG)) {
            throw new IOException(WG + " is missing (apt-get install wireguard-tools)");
        }
    }

    private static void awaitSocket(String ifname, Process p) throws Exception {
        Path socket = SOCKET_DIR.resolve(ifname + ".sock");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("wireguard-go " + ifname + " did not start");
            }
            Thread.sleep(20);
        }
    }

    /** Keeps the hub's merged output from filling the pipe; the last 2,000 lines are kept for errors. */
    private void readHubOutput() {
        Process p = hub;
        Thread.ofPlatform().daemon().name("hub-output-" + kind.label).start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    while (!hubLines.offer(line)) {
                        hubLines.poll();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
    }

    private void awaitHubLine(String marker, Duration timeout) throws Exception {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = hubLines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                if (line.contains(marker)) {
                    return;
                }
            } else if (!hub.isAlive()) {
                break;
            }
        }
        throw new IOException("the hub did not say '" + marker + "': " + String.join("\n", seen));
    }

    /** What the hub printed lately, for error messages. */
    String hubOutput() {
        List<String> out = new ArrayList<>(hubLines);
        return out.isEmpty() ? "" : "\nhub output:\n  " + String.join("\n  ", out);
    }

    private static Path privateFile(String prefix, String suffix, String text) throws IOException {
        Path f = Files.createTempFile(prefix, suffix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(f, text);
        return f;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ what the windows run and read

    FloodNetns client(int i) {
        return clientNs.get(i - 1);
    }

    boolean hubAlive() {
        return hub != null && hub.isAlive();
    }

    /** The hub process's id: {@code ip netns exec} replaces itself with the hub, so it is the hub's. */
    long hubPid() {
        return hub.pid();
    }

    /** The hub process's utime + stime so far, in clock ticks ({@code /proc/PID/stat} fields 14 and 15). */
    long hubCpuTicks() throws IOException {
        return HostProbes.cpuTicks(Files.readString(Path.of("/proc", Long.toString(hubPid()), "stat")));
    }

    /** {@code VmRSS} and {@code VmHWM} of the hub process, kB. */
    long[] hubMemoryKb() throws IOException {
        String status = Files.readString(Path.of("/proc", Long.toString(hubPid()), "status"));
        return new long[] {HostProbes.statusKb(status, "VmRSS"), HostProbes.statusKb(status, "VmHWM")};
    }

    /**
     * Datagrams the kernel dropped on full UDP sockets in the hub's namespace so far (the drops
     * column of {@code /proc/net/udp} and {@code udp6}: every socket there is the hub's).
     */
    long socketDrops() throws IOException {
        long drops = 0;
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            drops += HostProbes.udpDrops(hubNs.must("cat", table).out());
        }
        return drops;
    }

    /** Our hub's counters over its control socket; null for wireguard-go. */
    ControlSnapshot snapshot() throws IOException {
        return controlSocket == null ? null : UapiClient.status(controlSocket).snapshot();
    }

    /** Heap used (kB), collections and collection seconds of our hub from {@code jstat -gc}; null for wireguard-go. */
    HostProbes.Gc gc() throws IOException {
        if (kind != HubKind.SWITCHYARD) {
            return null;
        }
        Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
        Commands.Result r = Commands.run(jstat.toString(), "-gc", Long.toString(hubPid()));
        return r.exit() == 0 ? HostProbes.jstatGc(r.out()) : null;
    }

    /**
     * The receiver index of client a's live session as the hub sees it (the little-endian word
     * at offset 4 of a's type-4 messages), read with tcpdump on the hub's side of a's link while
     * a pings b. What an on-path attacker learns from one packet.
     */
    int liveIndexOfA() throws Exception {
        Process dump = hubNs.process("tcpdump", "-i", "to-a", "-n", "-l", "-x", "-c", "1", "-Q", "in",
                "udp dst port " + PORT + " and udp[8:4] = 0x04000000").start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(dump.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            Thread trigger = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.contains("listening on") && trigger == null) {
                    trigger = Thread.ofPlatform().daemon().start(() -> {
                        try {
                            client(1).exec("ping", "-n", "-c", "3", "-i", "0.2", "-W", "1", overlay(2));
                        } catch (IOException e) {
                            // the capture times out and says so
                        }
                    });
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            Integer index = HostProbes.receiverIndexFromTcpdump(lines);
            if (index == null) {
                throw new IOException("no type-4 message from client a captured: " + String.join("\n", lines));
            }
            return index;
        } finally {
            dump.destroy();
            dump.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code ping} from client {@code from} to client {@code to}: {@code count} echoes, 0.1 s apart. */
    Process startPing(int from, int to, int count) throws IOException {
        return client(from).process("ping", "-q", "-n", "-i", "0.1", "-W", "1", "-c", Integer.toString(count), overlay(to))
                .start();
    }

    /**
     * Runs iperf3 TCP from client {@code from} to b's server for {@code seconds}, retrying for up
     * to 5 s while the server is busy with the previous test (iperf3 3.12 with {@code -J} exits 0
     * with an {@code "error"} field when it cannot start one).
     */
    HostProbes.Iperf iperf(int from, int seconds) throws IOException, InterruptedException {
        Commands.Result r = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            if (attempt > 0) {
                Thread.sleep(100);
            }
            r = client(from).exec("iperf3", "-c", overlay(2), "-t", Integer.toString(seconds), "-J");
            if (r.exit() == 0 && !r.out().contains("\"error\":")) {
                return HostProbes.Iperf.parse(r.out());
            }
        }
        throw new IOException("iperf3 from " + CLIENT[from - 1] + " failed: " + r.out());
    }

    private void closeQuietly() {
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().close();
            } catch (Exception e) {
                // best effort: the rest must still go
            }
        }
    }

    @Override
    public void close() {
        closeQuietly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs closeQuietly, which finds nothing left
            }
        }
    }
}
