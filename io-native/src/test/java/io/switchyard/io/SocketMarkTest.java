package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * SO_MARK (wg-quick's FwMark): the native transport sets it before bind and the kernel reports
 * it back through getsockopt; without CAP_NET_ADMIN, or on the NIO transport, opening fails with
 * an exception that names SO_MARK instead of sending unmarked packets.
 */
class SocketMarkTest extends SocketFixture {
    @Override
    Transport transport() {
        return Transport.NATIVE;
    }

    /** Root has CAP_NET_ADMIN; other users (normally) do not. */
    private static boolean root() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return line.split("\\s+")[2].equals("0"); // the effective uid
            }
        }
        return false;
    }

    private UdpOptions loopback() {
        return UdpOptions.create().bind(new InetSocketAddress(LO4, 0));
    }

    @Test
    void markIsSetAndReadBackOrRefusedNamingSoMark() throws Exception {
        if (root()) {
            LinuxUdpSocket s = assertInstanceOf(LinuxUdpSocket.class, open(loopback().mark(0x51820)));
            assertEquals(0x51820, s.mark());
            // Unsigned: the top bit is a mark like any other.
            LinuxUdpSocket high = assertInstanceOf(LinuxUdpSocket.class, open(loopback().mark(0x8000_0001)));
            assertEquals(0x8000_0001, high.mark());
            // And on a connected socket (the hub's per-peer sockets).
            LinuxUdpSocket connected = assertInstanceOf(LinuxUdpSocket.class,
                    open(loopback().mark(7).connect(new InetSocketAddress(LO4, 9))));
            assertEquals(7, connected.mark());
        } else {
            TransportException e = assertThrows(TransportException.class, () -> open(loopback().mark(0x51820)));
            assertEquals("setsockopt SO_MARK", e.call());
            assertEquals("EPERM", e.error());
            assertTrue(e.getMessage().contains("CAP_NET_ADMIN"), e.getMessage());
        }
    }

    @Test
    void noMarkMeansNoSetsockopt() throws Exception {
        LinuxUdpSocket s = assertInstanceOf(LinuxUdpSocket.class, open(loopback()));
        assertEquals(0, s.mark());
    }

    @Test
    void nioTransportRefusesAMark() {
        TransportException e = assertThrows(TransportException.class,
                () -> Datagrams.open(loopback().mark(0x51820).transport(Transport.NIO)));
        assertEquals("setsockopt SO_MARK", e.call());
        assertEquals("unsupported", e.error());
        assertTrue(e.getMessage().contains("SO_MARK 0x51820") && e.getMessage().contains("native transport"),
                e.getMessage());
        // Mark 0 is no mark: NIO opens as before.
        assertDoesNotThrowClose(loopback().transport(Transport.NIO));
    }

    private static void assertDoesNotThrowClose(UdpOptions o) {
        try (UdpSocket s = Datagrams.open(o)) {
            assertEquals("nio", s.transportName());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
