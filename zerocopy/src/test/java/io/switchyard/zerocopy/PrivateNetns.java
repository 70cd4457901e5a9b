package io.switchyard.zerocopy;

import io.switchyard.io.NetworkNamespace;
import io.switchyard.io.testing.Commands;
import io.switchyard.io.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A network namespace a test creates ({@code ip netns add}) and deletes, so that real-kernel
 * tests build their links there and never touch the host's network. Code runs inside it on a
 * fresh platform thread that has entered it with {@code setns(2)}: sockets that thread opens
 * belong to the namespace (the io-native epoll thread can still poll them: an fd works from any
 * namespace). Virtual threads do not inherit it (they run on the carriers), so the test body
 * stays on that platform thread. The idea is the router's interop {@code Netns.inside}, kept
 * here in the zerocopy test scope.
 *
 * <p>Names carry the creating JVM's pid ({@code syzc-<pid>-<tag>}); {@link #create} first deletes
 * namespaces of this prefix whose JVM is gone, never those of a live run.
 *
 * <p>Where namespaces cannot be made (not root, no iproute2) the test is skipped with the reason,
 * except when the environment says {@code CI=true}: CI runs as root and must run these tests, so
 * there a missing prerequisite fails the test instead of hiding it.
 */
final class PrivateNetns implements AutoCloseable {
    private static final String PREFIX = "syzc-";

    final String name;

    private PrivateNetns(String name) {
        this.name = name;
    }

    /** Why namespaces cannot be made here, or null when they can. */
    static String unavailable() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespaces are Linux only";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return "iproute2 (ip) is not installed";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "creating a network namespace needs root";
        }
        return null;
    }

    /** Skips (or, with CI=true, fails) the calling test when {@code reason} is not null. */
    static void requireOrSkip(String reason) {
        Prerequisites.require(reason);
    }

    /** Creates {@code syzc-<pid>-<tag>} with its loopback up; skips or fails as {@link #requireOrSkip}. */
    static PrivateNetns create(String tag) throws IOException {
        requireOrSkip(unavailable());
        sweep();
        String name = PREFIX + ProcessHandle.current().pid() + "-" + tag;
        Commands.Result r = run("ip", "netns", "add", name);
        if (r.exit() != 0) {
            requireOrSkip("ip netns add " + name + " refused: " + r.out().strip());
        }
        PrivateNetns ns = new PrivateNetns(name);
        try {
            ns.must("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code ip -n NAME args...} and fails on a non-zero exit. */
    void must(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", name));
        cmd.addAll(List.of(args));
        Commands.Result r = run(cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out().strip());
        }
    }

    /** Runs {@code task} on a new platform thread inside this namespace and returns its result. */
    <T> T inside(Callable<T> task) throws Exception {
        return NetworkNamespace.call(name, task);
    }

    /** Deletes namespaces of this prefix left by JVMs that are gone. */
    private static void sweep() throws IOException {
        for (NetworkNamespace.Orphan o : NetworkNamespace.orphans(PREFIX)) {
            run("ip", "netns", "del", o.name());
        }
    }

    boolean exists() throws IOException {
        return Files.exists(Path.of("/var/run/netns", name));
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name); // deletes its links with it
    }

    static Commands.Result run(String... cmd) throws IOException {
        return Commands.run(30, cmd);
    }
}
