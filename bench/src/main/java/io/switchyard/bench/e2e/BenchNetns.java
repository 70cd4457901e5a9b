package io.switchyard.bench.e2e;

import static io.switchyard.bench.Commands.mustRun;
import static io.switchyard.bench.Commands.run;

import io.switchyard.bench.Commands;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The network namespace an external hub runs in, made once per JVM and deleted at exit: one veth
 * pair, {@value #GENERATOR_ADDRESS} and {@value #GENERATOR_ADDRESS6} on this side (generator and
 * sinks), {@value #HUB_ADDRESS} and {@value #HUB_ADDRESS6} inside (the IPv6 addresses added with
 * {@code nodad}, usable at once rather than after duplicate address detection), IP forwarding on and ICMP redirects off inside (a TUN hub routes packets back out of
 * the interface they came in on). Named {@code sybench-<pid>}; namespaces of dead runs are
 * deleted when a new one is made. Needs root and iproute2.
 */
final class BenchNetns {
    static final String GENERATOR_ADDRESS = "10.77.0.1";
    static final String HUB_ADDRESS = "10.77.0.2";
    /** The veth's IPv6 addresses (a unique local prefix): the outer path of {@code --families 6}. */
    static final String GENERATOR_ADDRESS6 = "fd77::1";
    static final String HUB_ADDRESS6 = "fd77::2";
    private static final String PREFIX = "sybench-";
    private static BenchNetns instance;

    final String name;
    /** Why the veth has no IPv6 addresses, or null when it has them. */
    private String ipv6Missing;

    private BenchNetns(String name) {
        this.name = name;
    }

    static synchronized BenchNetns get() throws IOException {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    private static BenchNetns create() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException("hubs in a network namespace need root (ip netns, veth)");
        }
        sweep();
        long pid = ProcessHandle.current().pid();
        BenchNetns ns = new BenchNetns(PREFIX + pid);
        mustRun("ip", "netns", "add", ns.name);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run("ip", "netns", "del", ns.name); // the veth pair goes with it
            } catch (IOException e) {
                // nothing more to do at exit
            }
        }));
        String here = "sybg" + pid % 100_000;
        String there = "sybh" + pid % 100_000;
        mustRun("ip", "link", "add", here, "type", "veth", "peer", "name", there, "netns", ns.name);
        mustRun("ip", "addr", "add", GENERATOR_ADDRESS + "/30", "dev", here);
        mustRun("ip", "link", "set", here, "up");
        ns.must("ip", "link", "set", "lo", "up");
        ns.must("ip", "addr", "add", HUB_ADDRESS + "/30", "dev", there);
        ns.must("ip", "link", "set", there, "up");
        // IPv6 on the veth; a host without IPv6 still runs the IPv4 variants (ipv6Missing says why)
        Commands.Result v6 = run("ip", "-6", "addr", "add", GENERATOR_ADDRESS6 + "/126", "dev", here, "nodad");
        if (v6.exit() == 0) {
            v6 = run("ip", "netns", "exec", ns.name, "ip", "-6", "addr", "add", HUB_ADDRESS6 + "/126", "dev", there, "nodad");
        }
        ns.ipv6Missing = v6.exit() == 0 ? null : v6.out();
        ns.must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        ns.must("sysctl", "-q", "-w", "net.ipv4.conf.all.send_redirects=0");
        ns.must("sysctl", "-q", "-w", "net.ipv4.conf.default.send_redirects=0");
        return ns;
    }

    /** Throws unless the veth has its IPv6 addresses (the outer path of {@code --families 6}). */
    void requireIpv6() throws IOException {
        if (ipv6Missing != null) {
            throw new IOException("the bench veth has no IPv6 address (is IPv6 disabled?): " + ipv6Missing);
        }
    }

    /** Deletes bench namespaces whose JVM is gone. */
    private static void sweep() throws IOException {
        for (String line : run("ip", "netns", "list").out().split("\n")) {
            String n = line.strip().split(" ")[0];
            if (!n.startsWith(PREFIX)) {
                continue;
            }
            try {
                long pid = Long.parseLong(n.substring(PREFIX.length()));
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    run("ip", "netns", "del", n);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    ProcessBuilder process(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true);
    }

    void must(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        mustRun(full.toArray(String[]::new));
    }

}
