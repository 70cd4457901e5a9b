package io.switchyard.cli.it;

import io.switchyard.io.testing.Commands;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline hub: stock wireguard-go with a TUN interface in the hub namespace, one peer per
 * client (its overlay /32), and the kernel forwarding between them ({@code ip_forward=1} in that
 * namespace, so a packet from one peer leaves the TUN, is routed back into it and sealed for
 * the other). Same key and port as our hub, so the same clients can use either.
 */
final class WgGoHub implements AutoCloseable {
    private final Process process;
    private final String ifname;

    WgGoHub(Netns ns, String ifname, String privateKey, int port, String hubOverlayCidr, List<WgGoClient> clients)
            throws Exception {
        this.ifname = ifname;
        ns.must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        ProcessBuilder pb = ns.process(WgGoClient.WIREGUARD_GO.toString(), "-f", ifname)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
        process = pb.start();
        try {
            Path socket = WgGoClient.SOCKET_DIR.resolve(ifname + ".sock");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
            while (!Files.exists(socket)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("wireguard-go hub did not start");
                }
                Thread.sleep(20);
            }
            Path key = Files.createTempFile("syit-hub", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(key, privateKey + "\n");
                List<String> cmd = new ArrayList<>(List.of(WgGoClient.WG.toString(), "set", ifname, "private-key",
                        key.toString(), "listen-port", Integer.toString(port)));
                for (WgGoClient c : clients) {
                    cmd.addAll(List.of("peer", c.publicKey, "allowed-ips", c.overlay + "/32"));
                }
                Commands.Result r = Netns.run(cmd.toArray(String[]::new));
                if (r.exit() != 0) {
                    throw new IllegalStateException("wg set: " + r.out());
                }
            } finally {
                Files.deleteIfExists(key);
            }
            ns.must("ip", "addr", "add", hubOverlayCidr, "dev", ifname);
            ns.must("ip", "link", "set", ifname, "up");
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Stops wireguard-go (its TUN interface goes with it). */
    void stop() throws Exception {
        close();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(WgGoClient.SOCKET_DIR.resolve(ifname + ".sock"));
    }
}
