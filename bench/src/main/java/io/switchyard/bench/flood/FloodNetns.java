package io.switchyard.bench.flood;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    private static final int CLONE_NEWNET = 0x40000000;

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
        for (String line : run("ip", "netns", "list").out().split("\n")) {
            String n = line.strip().split(" ")[0];
            if (!n.startsWith(PREFIX)) {
                continue;
            }
            String rest = n.substring(PREFIX.length());
            int dash = rest.indexOf('-');
            try {
                long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    for (String p : run("ip", "netns", "pids", n).out().split("\\s+")) {
                        if (!p.isBlank()) {
                            ProcessHandle.of(Long.parseLong(p)).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    run("ip", "netns", "del", n);
                    deleteSockets(pid);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
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

    ProcessBuilder process(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true);
    }

    Result exec(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    Result must(String... cmd) throws IOException {
        Result r = exec(cmd);
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
            enter(name);
            task.run();
        });
    }

    private static final MethodHandle OPEN;
    private static final MethodHandle SETNS;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        OPEN = linker.downcallHandle(linker.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        SETNS = linker.downcallHandle(linker.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        CLOSE = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    /** Moves the calling (platform) thread into namespace {@code name}: setns(2) is per thread. */
    private static void enter(String name) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + name), 0);
            if (fd < 0) {
                throw new IllegalStateException("open /var/run/netns/" + name + " failed");
            }
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IllegalStateException("setns into " + name + " failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name); // its veth ends go with it, and their peers with them
    }

    record Result(int exit, String out) {}

    static void mustRun(String... cmd) throws IOException {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
    }

    static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) { // hang guard
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " hung");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
