package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.testing.Prerequisites;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
