package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Transport#AUTO} where the native transport is unavailable (another OS, an
 * * architecture without layouts, FFM refused): it opens
 * the NIO transport, which works; {@link Transport#NATIVE} refuses with the probe's reason. The
 * probe result is replaced through {@link Capabilities#replaceProbe} and restored afterwards.
 */
class TransportFallbackTest extends SocketFixture {
    private static final String WHY = "not Linux (pretended by TransportFallbackTest)";
    private Capabilities real;

    @Override
    Transport transport() {
        return Transport.AUTO;
    }

    @BeforeEach
    void pretendNoNative() {
        real = Capabilities.probe(); // probe the real system first, so restoring gives it back
        Capabilities.replaceProbe(Capabilities.withUnavailable(Map.of(
                Capability.NATIVE, WHY,
                Capability.GSO, "needs the native transport: " + WHY,
                Capability.GRO, "needs the native transport: " + WHY,
                Capability.ZEROCOPY, "needs the native transport: " + WHY,
                Capability.RXQ_OVERFLOW, "needs the native transport: " + WHY,
                Capability.IO_URING, "needs the native transport: " + WHY)));
    }

    @AfterEach
    void restore() {
        Capabilities.replaceProbe(real);
    }

    @Test
    void autoFallsBackToNioAndWorks() throws Exception {
        UdpSocket rx = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)));
        toClose.add(rx);
        UdpSocket tx = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).gro(true));
        toClose.add(tx);
        assertEquals("nio", rx.transportName());
        assertEquals("nio", tx.transportName());
        assertFalse(tx.gsoEnabled());
        assertFalse(tx.groEnabled());
        SendBatch sb = sendBatch(4);
        for (int i = 0; i < 3; i++) {
            sb.add(nativeCopy(payload(i, 100)), 0, 100, SockAddr.of(rx.localAddress()));
        }
        tx.sendTrain(sb); // no GSO here: datagram by datagram
        List<byte[]> got = receiveAll(rx, batch(4, 2048), 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(payload(i, 100), got.get(i));
        }
    }

    @Test
    void nativeIsRefusedWithTheProbesReason() {
        var e = assertThrows(TransportException.class, () -> Datagrams.open(UdpOptions.create()
                .bind(new InetSocketAddress(LO4, 0)).transport(Transport.NATIVE)));
        assertTrue(e.getMessage().contains(WHY), e.getMessage());
    }

    @Test
    void restoringGivesTheRealProbeBack() {
        assertFalse(Capabilities.probe().available(Capability.NATIVE));
        Capabilities.replaceProbe(real);
        assertEquals(real, Capabilities.probe());
    }
}
