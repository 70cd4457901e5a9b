package io.switchyard.cli.it;

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
 * Network namespaces for interop tests: creation, commands run inside them, veth links between
 * them, and running Java code on a platform thread that has entered one ({@code setns(2)}) — a
 * thread it creates inherits the namespace, which is how an in-process hub lives in its own.
 * Names carry a prefix and the creating JVM's pid ({@code syit-<pid>-...}) so that a crashed
 * earlier run can be swept ({@link #sweep}) without touching the namespaces of a run that is
 * still going (two engineers, or two test JVMs, on one machine).
 */
public final class Netns implements AutoCloseable {
    static final String PREFIX = "syit-";
    private static final Path IP = Path.of("/usr/sbin/ip");

    final String name;

    private Netns(String name) {
        this.name = name;
    }

    /** Why namespaces cannot be made here, or null when they can. */
    static String unavailable() {
        if (!Files.isExecutable(IP) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return "iproute2 (ip) is not installed";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root";
        }
        return null;
    }

    /** Whether the environment says this is CI ({@code CI=true}), where every interop test must run. */
    static boolean onCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Skips the calling test, saying why, when {@code reason} is not null; under {@code CI=true}
     * fails it instead: CI runs as root with the tools installed ({@code .ci/run}), so a missing
     * prerequisite there is a broken machine, and a skip would hide that the suite did not run.
     */
    static void requireOrSkip(String reason) {
        Prerequisites.require(reason);
    }

    /**
     * Skips the calling test (fails it under {@code CI=true}, see {@link #requireOrSkip}), saying
     * why, where namespaces or the WireGuard tools are missing, then sweeps what dead runs left
     * behind. Every interop test starts with this.
     */
    static void requireInteropPossible() throws IOException {
        String why = unavailable();
        requireOrSkip(why != null ? why : WgGoClient.unavailable());
        sweep();
    }

    /** {@link #create}, skipping the calling test (failing it under CI) when the kernel refuses a new namespace. */
    static Netns createOrSkip(String requested) throws IOException {
        try {
            return create(requested);
        } catch (IOException e) {
            requireOrSkip("cannot create a network namespace: " + e.getMessage());
            throw e; // not reached
        }
    }

    static Netns create(String requested) throws IOException {
        String name = requested.startsWith(PREFIX)
                ? PREFIX + ProcessHandle.current().pid() + "-" + requested.substring(PREFIX.length()) : requested;
        Commands.Result r = run("ip", "netns", "add", name);
        if (r.exit() != 0) {
            throw new IOException("ip netns add " + name + ": " + r.out());
        }
        Netns ns = new Netns(name);
        ns.must("ip", "link", "set", "lo", "up");
        return ns;
    }

    /** Deletes namespaces left behind by runs whose JVM is gone (never those of a live one). */
    static void sweep() throws IOException {
        for (NetworkNamespace.Orphan o : NetworkNamespace.orphans(PREFIX)) {
            run("ip", "netns", "del", o.name());
        }
    }

    /** A veth pair: {@code here} in this namespace with address {@code hereCidr}, the peer in {@code there}. */
    void link(String here, String hereCidr, Netns there, String thereName, String thereCidr) throws IOException {
        mustRoot("ip", "link", "add", here, "netns", name, "type", "veth", "peer", "name", thereName, "netns", there.name);
        must("ip", "addr", "add", hereCidr, "dev", here);
        must("ip", "link", "set", here, "up");
        there.must("ip", "addr", "add", thereCidr, "dev", thereName);
        there.must("ip", "link", "set", thereName, "up");
    }

    /**
     * A veth pair with several addresses on each end (IPv4 and IPv6 CIDRs) and the given MTU on
     * both. IPv6 addresses are added {@code nodad}: duplicate address detection would keep them
     * tentative, unusable as a source or a bind address, for about two seconds.
     */
    void link(String here, List<String> hereCidrs, Netns there, String thereName, List<String> thereCidrs, int mtu)
            throws IOException {
        mustRoot("ip", "link", "add", here, "netns", name, "mtu", Integer.toString(mtu), "type", "veth",
                "peer", "name", thereName, "netns", there.name, "mtu", Integer.toString(mtu));
        for (String cidr : hereCidrs) {
            addAddress(here, cidr);
        }
        must("ip", "link", "set", here, "up");
        for (String cidr : thereCidrs) {
            there.addAddress(thereName, cidr);
        }
        there.must("ip", "link", "set", thereName, "up");
    }

    /** Adds {@code cidr} to {@code dev}; an IPv6 one without duplicate address detection (usable at once). */
    void addAddress(String dev, String cidr) throws IOException {
        if (cidr.indexOf(':') >= 0) {
            must("ip", "-6", "addr", "add", cidr, "dev", dev, "nodad");
        } else {
            must("ip", "addr", "add", cidr, "dev", dev);
        }
    }

    Commands.Result exec(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    Commands.Result must(String... cmd) throws IOException {
        Commands.Result r = exec(cmd);
        if (r.exit() != 0) {
            throw new IOException("in " + name + ": " + String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
        return r;
    }

    private static void mustRoot(String... cmd) throws IOException {
        Commands.Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
    }

    ProcessBuilder process(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true);
    }

    /** Runs {@code task} on a fresh platform thread that has entered this namespace. */
    <T> T inside(Callable<T> task) throws Exception {
        return inside(name, task);
    }

    /**
     * Runs {@code task} on a fresh platform thread that has entered the named namespace
     * ({@code /var/run/netns/NAME}); threads it creates stay there (tests in other packages use it
     * to start a hub inside a namespace they made with {@code ip netns add}).
     */
    public static <T> T inside(String name, Callable<T> task) throws Exception {
        return NetworkNamespace.call(name, task);
    }

    @Override
    public void close() throws IOException {
        run("ip", "netns", "del", name);
    }

    static Commands.Result run(String... cmd) throws IOException {
        return Commands.run(120, cmd);
    }
}
