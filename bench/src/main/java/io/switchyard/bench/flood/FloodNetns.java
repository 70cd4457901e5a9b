package io.switchyard.bench.flood;

import static io.switchyard.bench.Commands.mustRun;
import static io.switchyard.bench.Commands.run;

import io.switchyard.bench.Commands;
import io.switchyard.io.NetworkNamespace;
import io.switchyard.io.errors.TransportException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace of the flood harness: created with {@code ip netns add}, commands run in it
 * with {@code ip netns exec}, veth pairs to other namespaces, and platform threads that have
 * entered it with {@code setns(2)} (the flooder's sockets are opened on such a thread, so they
 * live in the flooder's namespace while the code runs in the bench's JVM). Names are
 * {@code syfl-<pid>-<role>}: {@link #sweep} deletes those of JVMs that are gone and never those of a
 * live run (other people's runs on the same machine). Needs root and iproute2.
 */
final class FloodNetns implements AutoCloseable {
    static final String PREFIX = "syfl-";

    final String name;

    private FloodNetns(String name) {
        this.name = name;
    }

    /** Namespace {@code syfl-<this pid>-<role>}, with its loopback up. */
    static FloodNetns create(String role) throws IOException {
        FloodNetns ns = new FloodNetns(PREFIX + ProcessHandle.current().pid() + "-" + role);
        mustRun("ip", "netns", "add", ns.name);
        ns.must("ip", "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Deletes the harness's namespaces whose JVM is gone, after stopping the processes still
     * running in them (hubs, clients, iperf3 of a run that was killed: every process in such a
     * namespace was started there by the harness), and their UAPI and control sockets.
     */
    static void sweep() throws IOException {
        for (NetworkNamespace.Orphan o : NetworkNamespace.orphans(PREFIX)) {
            for (String p : run("ip", "netns", "pids", o.name()).out().split("\\s+")) {
                if (!p.isBlank()) {
                    ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            run("ip", "netns", "del", o.name());
            deleteSockets(o.pid());
        }
    }

    /** The UAPI sockets of a dead run's wireguard-go processes ({@code syf<pid>...}) and its hub's control sockets. */
    private static void deleteSockets(long pid) throws IOException {
        for (java.nio.file.Path dir : new java.nio.file.Path[] {Topology.SOCKET_DIR, java.nio.file.Path.of("/tmp")}) {
            if (!java.nio.file.Files.isDirectory(dir)) {
                continue;
            }
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    String uapi = "syf" + pid; // then the hub's tag letter, so pid 123 never takes 1234's
                    boolean ours = name.startsWith(uapi) && name.length() > uapi.length()
                            && !Character.isDigit(name.charAt(uapi.length())) || name.startsWith(PREFIX + pid + "-");
                    if (name.endsWith(".sock") && ours) {
                        java.nio.file.Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    /**
     * A veth pair: {@code here} in this namespace with {@code hereCidrs}, {@code thereName} in
     * {@code there} with {@code thereCidrs}, both up. Interface names are per namespace.
     */
    void link(String here, List<String> hereCidrs, FloodNetns there, String thereName, List<String> thereCidrs)
            throws IOException {
        mustRun("ip", "link", "add", here, "netns", name, "type", "veth", "peer", "name", thereName, "netns", there.name);
        for (String cidr : hereCidrs) {
            must("ip", "addr", "add", cidr, "dev", here);
        }
        must("ip", "link", "set", here, "up");
        for (String cidr : thereCidrs) {
            there.must("ip", "addr", "add", cidr, "dev", thereName);
        }
        there.must("ip", "link", "set", thereName, "up");
    }

    /** {@code cmd} as {@code ip netns exec} runs it in this namespace. */
    private List<String> inside(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return full;
    }

    ProcessBuilder process(String... cmd) {
        return new ProcessBuilder(inside(cmd)).redirectErrorStream(true);
    }

    Commands.Result exec(String... cmd) throws IOException {
        return run(inside(cmd).toArray(String[]::new));
    }

    Commands.Result must(String... cmd) throws IOException {
        Commands.Result r = exec(cmd);
        if (r.exit() != 0) {
            throw new IOException("in " + name + ": " + String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
        return r;
    }

    /**
     * Starts {@code task} on a new platform thread that first enters this namespace; sockets it
     * opens, and threads it starts, are in this namespace. A failure to enter is thrown by the
     * task's thread as an {@link IllegalStateException} (the caller sees it through whatever the
     * task reports).
     */
    Thread startInside(String threadName, Runnable task) {
        return Thread.ofPlatform().daemon().name(threadName).start(() -> {
            try {
                NetworkNamespace.enter(name);
            } catch (TransportException e) {
                throw new IllegalStateException("entering " + name + ": " + e.getMessage(), e);
            }
            task.run();
        });
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name); // its veth ends go with it, and their peers with them
    }

}
