package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.testing.Prerequisites;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NetworkNamespace on a namespace made with {@code ip netns add}: needs root (fails under CI=true without it). */
class NetworkNamespaceTest {
    private static String inode(String path) throws Exception {
        return Files.readSymbolicLink(Path.of(path)).toString();
    }

    @Test
    void aTaskRunsInsideTheNamedNamespaceAndItsFailureComesBack() throws Exception {
        String name = "sy-nstest-" + ProcessHandle.current().pid();
        Process add = new ProcessBuilder("ip", "netns", "add", name).redirectErrorStream(true).start();
        String out = new String(add.getInputStream().readAllBytes());
        Prerequisites.require(add.waitFor() == 0, "ip netns add failed (root needed): " + out);
        try {
            String outside = inode("/proc/thread-self/ns/net");
            String inside = NetworkNamespace.call(name, () -> inode("/proc/thread-self/ns/net"));
            assertNotEquals(outside, inside);
            // A port bound out here is free in there: sockets opened by the task live inside.
            try (DatagramChannel here = DatagramChannel.open().bind(new InetSocketAddress(0))) {
                int port = ((InetSocketAddress) here.getLocalAddress()).getPort();
                int there = NetworkNamespace.call(name, () -> {
                    try (DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(port))) {
                        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
                    }
                });
                assertEquals(port, there);
            }
            IllegalStateException thrown = assertThrows(IllegalStateException.class,
                    () -> NetworkNamespace.call(name, () -> {
                        throw new IllegalStateException("from inside");
                    }));
            assertEquals("from inside", thrown.getMessage());
            assertEquals(outside, inode("/proc/thread-self/ns/net"), "the caller stays where it was");
        } finally {
            new ProcessBuilder("ip", "netns", "del", name).start().waitFor();
        }
        TransportException missing = assertThrows(TransportException.class,
                () -> NetworkNamespace.call(name, () -> 1));
        assertTrue(missing.getMessage().contains("ENOENT"), missing.getMessage());
    }

    private static boolean ip(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor() == 0;
    }

    @Test
    void orphansAreTheNamespacesOfGoneProcessesOnly() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        long alive = ProcessHandle.current().pid();
        String prefix = "sy-orphtest-";
        List<String> names = List.of(prefix + dead + "-a", prefix + dead, prefix + alive + "-b", prefix + "x" + dead);
        Prerequisites.require(ip("netns", "add", names.get(0)), "ip netns add failed (root needed)");
        try {
            for (String n : names.subList(1, names.size())) {
                assertTrue(ip("netns", "add", n), n);
            }
            List<NetworkNamespace.Orphan> orphans = NetworkNamespace.orphans(prefix);
            assertTrue(orphans.contains(new NetworkNamespace.Orphan(prefix + dead + "-a", dead)), orphans.toString());
            assertTrue(orphans.contains(new NetworkNamespace.Orphan(prefix + dead, dead)), orphans.toString());
            assertEquals(2, orphans.size(), "a live process's namespace and another naming scheme are left alone: " + orphans);
            assertFalse(NetworkNamespace.orphans("sy-orphtest-none-").iterator().hasNext());
        } finally {
            for (String n : names) {
                ip("netns", "del", n);
            }
        }
    }
}
