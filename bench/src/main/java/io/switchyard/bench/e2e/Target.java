package io.switchyard.bench.e2e;

import io.switchyard.bench.Commands;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.Key32;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import io.switchyard.wireguard.Keys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The hub a {@link ForwardingBench} run measures, and how the generator reaches it over IPv4 or
 * IPv6: Switchyard in this JVM on loopback ({@code 127.0.0.1} or {@code ::1}), or a hub process in a network namespace of its own behind a veth pair
 * (Switchyard's {@code up} command, or stock wireguard-go with a TUN interface and the kernel
 * forwarding between its peers), so that the same generator and sinks measure either.
 */
sealed interface Target extends AutoCloseable {
    /**
     * Where the generator's peers send over IP version {@code family} (4 or 6): the hub's listen
     * address as they see it. Every hub listens dual stack (Switchyard binds {@code ::},
     * wireguard-go opens an IPv4 and an IPv6 socket).
     */
    InetSocketAddress endpoint(int family) throws IOException;

    /** The address the generator's and sinks' sockets bind for IP version {@code family} (4 or 6). */
    String local(int family);

    /** The hub's counters, or null when the hub is another process. */
    HubStats stats();

    /**
     * Datagrams the kernel dropped on the hub's full listen socket so far: SO_RXQ_OVFL through the
     * hub's counters in-process, the drops column of {@code /proc/net/udp} and {@code udp6} in the
     * namespace for another process.
     */
    long socketDrops() throws IOException;

    /**
     * Waits until the hub sends {@code peer}'s traffic to {@code port} on the generator side (the
     * sink has just sent an authenticated keepalive from there). In-process this reads the hub's
     * peer table; another process cannot be asked, so it waits a fixed 300 ms (a keepalive
     * crosses a veth in microseconds) and the run fails later if that sink received nothing.
     */
    void awaitEndpoint(Key32 peer, int port) throws Exception;

    /** [Peer] sections for the generator's keys, each with its overlay /32 ({@link ForwardingBench#address}). */
    static String peerSections(List<Key32> keys) {
        StringBuilder conf = new StringBuilder();
        for (int i = 0; i < keys.size(); i++) {
            conf.append("\n[Peer]\nPublicKey = ").append(Key32.of(Keys.publicKey(keys.get(i).toBytes())).toBase64())
                    .append("\nAllowedIPs = ").append(ForwardingBench.address(i)).append("/32\n");
        }
        return conf.toString();
    }

    /** Switchyard in this JVM, listening on loopback. */
    record InProcess(Hub hub) implements Target {
        static InProcess start(Key32 hubKey, String settings, List<Key32> peers) throws Exception {
            String conf = "[Interface]\nPrivateKey = " + hubKey.toBase64() + "\nListenPort = 0\n\n[Switchyard]\n"
                    + settings + "ControlSocket = off\nStatusInterval = 0\n" + peerSections(peers);
            Config config = ConfigParser.parse("bench.conf", conf, Path.of(".")).config();
            return new InProcess(Hub.start(config));
        }

        @Override
        public InetSocketAddress endpoint(int family) {
            return new InetSocketAddress(local(family), hub.localAddress().getPort());
        }

        @Override
        public String local(int family) {
            return family == 6 ? "::1" : "127.0.0.1";
        }

        @Override
        public HubStats stats() {
            return hub.stats();
        }

        @Override
        public long socketDrops() {
            return hub.stats().counters().getOrDefault("io.kernel_drops", 0L);
        }

        @Override
        public void awaitEndpoint(Key32 peer, int port) throws Exception {
            Key32 pub = Key32.of(Keys.publicKey(peer.toBytes()));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                PeerStats p = hub.stats().peers().stream().filter(x -> x.publicKey().equals(pub)).findFirst().orElseThrow();
                if (p.endpoint().map(e -> e.getPort() == port).orElse(false)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the hub did not move the sink to its native socket: " + p + "; hub: " + hub.stats());
                }
                Thread.sleep(5);
            }
        }

        @Override
        public void close() {
            hub.close();
        }
    }

    /**
     * A hub process in the bench's namespace ({@link BenchNetns}): {@code switchyard up} with the
     * given [Switchyard] settings, or wireguard-go. Stopped (SIGTERM, then SIGKILL) on close.
     */
    final class External implements Target {
        /** Listen ports: each kept hub process has its own (several share the namespace). */
        private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT = new java.util.concurrent.atomic.AtomicInteger(51820);
        static final Path WIREGUARD_GO = Path.of("/usr/bin/wireguard-go");
        static final Path WG = Path.of("/usr/bin/wg");
        /** {@code -Dbench.hubOutput=true}: a Switchyard hub process prints a status line a second, shown at its close. */
        static final boolean HUB_OUTPUT = Boolean.getBoolean("bench.hubOutput");

        private final Process process;
        private final Path file;
        private final String ifname;

        private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);

        private final int port;

        private External(Process process, Path file, String ifname, int port) {
            this.port = port;
            this.process = process;
            this.file = file;
            this.ifname = ifname;
            Thread.ofPlatform().daemon().name("hub-output").start(() -> { // keeps the pipe from filling
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.offer(line); // beyond 1,000 lines, later ones are not kept
                    }
                } catch (IOException e) {
                    // the process is gone
                }
            });
        }

        @Override
        public InetSocketAddress endpoint(int family) throws IOException {
            if (family == 6) {
                BenchNetns.get().requireIpv6();
            }
            return new InetSocketAddress(family == 6 ? BenchNetns.HUB_ADDRESS6 : BenchNetns.HUB_ADDRESS, port);
        }

        @Override
        public String local(int family) {
            return family == 6 ? BenchNetns.GENERATOR_ADDRESS6 : BenchNetns.GENERATOR_ADDRESS;
        }

        @Override
        public HubStats stats() {
            return null;
        }

        @Override
        public long socketDrops() throws IOException {
            long drops = 0;
            String hex = String.format(":%04X ", port);
            for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
                Commands.Result r = Commands.run("ip", "netns", "exec", BenchNetns.get().name, "cat", table);
                for (String line : r.out().split("\n")) {
                    String[] f = line.strip().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                    if (f.length >= 13 && (f[1] + " ").contains(hex)) {
                        drops += Long.parseLong(f[12]);
                    }
                }
            }
            return drops;
        }

        @Override
        public void awaitEndpoint(Key32 peer, int port) throws InterruptedException {
            Thread.sleep(300);
        }

        /** {@code switchyard up FILE --no-watch} in the namespace, on this JVM's java and class path. */
        static External switchyard(Key32 hubKey, String settings, List<Key32> peers) throws Exception {
            return switchyard(hubKey, settings, peers, System.getProperty("java.class.path"), "io.switchyard.cli.Main");
        }

        /**
         * The same with another build of Switchyard: {@code -Dbench.baseline.classpath=...} (its jars) and
         * {@code -Dbench.baseline.main=...} (its CLI class; {@code io.switchyard.cli.Main} before
         * the modules were split), so that old and new builds alternate in one run.
         */
        static External switchyardBaseline(Key32 hubKey, String settings, List<Key32> peers) throws Exception {
            String cp = System.getProperty("bench.baseline.classpath");
            if (cp == null || cp.isBlank()) {
                throw new IllegalArgumentException("the sy-baseline variant needs -Dbench.baseline.classpath=JARS of the build to compare with");
            }
            return switchyard(hubKey, settings, peers, cp, System.getProperty("bench.baseline.main", "io.switchyard.cli.Main"));
        }

        private static External switchyard(Key32 hubKey, String settings, List<Key32> peers, String classpath, String main)
                throws Exception {
            BenchNetns ns = BenchNetns.get();
            int port = NEXT_PORT.getAndIncrement();
            Path file = privateFile("sybench-hub", ".conf", "[Interface]\nPrivateKey = " + hubKey.toBase64()
                    + "\nListenPort = " + port + "\n\n[Switchyard]\n" + settings
                    + "ControlSocket = off\nStatusInterval = " + (HUB_OUTPUT ? "1s" : "0") + "\n" + peerSections(peers));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // the JVM options ./switchyard gives `up`, plus -Dbench.hubJvm="..." (e.g. for a profiler)
            List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
                    "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"));
            String extra = System.getProperty("bench.hubJvm", "").strip();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.addAll(List.of("-cp", classpath, main, "up",
                    "--no-watch", "--status-format", HUB_OUTPUT ? "json" : "text", file.toString()));
            Process p = ns.process(cmd.toArray(String[]::new)).start();
            External hub = new External(p, file, null, port);
            try {
                hub.awaitLine("listening on", Duration.ofSeconds(60));
            } catch (Exception e) {
                hub.close();
                throw e;
            }
            return hub;
        }

        /**
         * Stock wireguard-go with a TUN interface in the namespace, one peer per generator key
         * (its overlay /32) and {@code ip_forward=1}: a packet from one peer leaves the TUN, is
         * routed back into it and sealed for the other.
         */
        static External wireguardGo(Key32 hubKey, List<Key32> peers) throws Exception {
            if (!Files.isExecutable(WIREGUARD_GO) || !Files.isExecutable(WG)) {
                throw new IOException("the wggo variant needs wireguard-go and wg "
                        + "(Debian: apt-get install --no-install-recommends wireguard-go wireguard-tools)");
            }
            BenchNetns ns = BenchNetns.get();
            int port = NEXT_PORT.getAndIncrement();
            String ifname = "syw" + ProcessHandle.current().pid() + "-" + (port - 51820); // at most 15 characters
            ProcessBuilder pb = ns.process(WIREGUARD_GO.toString(), "-f", ifname);
            pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
            // wg setconf reads the same [Interface]/[Peer] format, minus wg-quick's extensions
            Path file = privateFile("sybench-wggo", ".conf", "[Interface]\nPrivateKey = " + hubKey.toBase64()
                    + "\nListenPort = " + port + "\n" + peerSections(peers));
            External hub = new External(pb.start(), file, ifname, port);
            try {
                Path socket = Path.of("/var/run/wireguard", ifname + ".sock");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!Files.exists(socket)) {
                    if (!hub.process.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("wireguard-go did not start: " + hub.output());
                    }
                    Thread.sleep(20);
                }
                Commands.mustRun(WG.toString(), "setconf", ifname, file.toString());
                ns.must("ip", "addr", "add", "10.98.255.254/16", "dev", ifname);
                ns.must("ip", "link", "set", ifname, "up");
            } catch (Exception e) {
                hub.close();
                throw e;
            }
            return hub;
        }

        private static Path privateFile(String prefix, String suffix, String text) throws IOException {
            Path f = Files.createTempFile(prefix, suffix,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(f, text);
            return f;
        }

        /** Waits for a line of the process's merged output containing {@code marker}. */
        private void awaitLine(String marker, Duration timeout) throws Exception {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (line.contains(marker)) {
                        return;
                    }
                } else if (!process.isAlive()) {
                    break;
                }
            }
            throw new IOException("the hub process did not say '" + marker + "': " + String.join("\n", seen));
        }

        private String output() {
            List<String> out = new ArrayList<>();
            lines.drainTo(out);
            return String.join("\n", out);
        }

        @Override
        public void close() throws Exception {
            if (HUB_OUTPUT) {
                System.out.println("  hub output:\n    " + output().replace("\n", "\n    "));
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(file);
            if (ifname != null) {
                Files.deleteIfExists(Path.of("/var/run/wireguard", ifname + ".sock"));
            }
        }
    }
}
