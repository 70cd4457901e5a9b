package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.linux.Errno;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** GSO, GRO and the GSO downgrade on the Linux transport (real loopback sockets). */
class NativeOffloadTest extends SocketFixture {
    @Override
    Transport transport() {
        return Transport.NATIVE;
    }

    private SendBatch train(SockAddr dest, int segments, int segment, int last) {
        SendBatch sb = sendBatch(64);
        for (int i = 0; i < segments; i++) {
            int len = i == segments - 1 ? last : segment;
            sb.add(nativeCopy(payload(i, len)), 0, len, dest);
        }
        return sb;
    }

    @Test
    void probeFindsTheOffloadsOnThisKernel() {
        Capabilities caps = Capabilities.probe();
        assertTrue(caps.available(Capability.NATIVE), caps.toString());
        assertTrue(caps.available(Capability.GSO), caps.toString());
        assertTrue(caps.available(Capability.GRO), caps.toString());
        assertNull(caps.reason(Capability.GSO));
        // io_uring works on this kernel (6.18); UringSpecificTest covers what the probe checks.
        assertTrue(caps.available(Capability.IO_URING), caps.toString());
        assertNull(caps.reason(Capability.IO_URING));
    }

    @Test
    void gsoTrainIsOneSendCall() throws Exception {
        UdpSocket tx = openLoopback();
        DatagramChannel rx = jdkChannel(LO4);
        assertTrue(tx.gsoEnabled());
        SendBatch sb = train(SockAddr.of((InetSocketAddress) rx.getLocalAddress()), 40, 1400, 1);
        tx.sendTrain(sb);
        assertEquals(1, tx.counters().get(IoCounter.GSO_TRAINS));
        assertEquals(40, tx.counters().get(IoCounter.GSO_SEGMENTS), "segments per train = 40 / 1");
        assertEquals(1, tx.counters().get(IoCounter.SEND_CALLS));
        assertEquals(40, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        ByteBuffer buf = ByteBuffer.allocate(2048);
        for (int i = 0; i < 40; i++) {
            buf.clear();
            rx.receive(buf);
            assertEquals(i == 39 ? 1 : 1400, buf.position(), "segment " + i);
        }
    }

    @Test
    void groReceiverGetsBackExactlyWhatWasSent() throws Exception {
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).gro(true));
        assertTrue(rx.groEnabled());
        UdpSocket tx = openLoopback();
        int segments = 30;
        SendBatch sb = train(SockAddr.of(rx.localAddress()), segments, 1200, 517);
        tx.sendTrain(sb);
        RecvBatch b = batch(8, RecvBatch.GRO_SLOT_SIZE);
        List<byte[]> got = receiveAll(rx, b, segments);
        assertEquals(segments, got.size());
        for (int i = 0; i < segments; i++) {
            assertArrayEquals(payload(i, i == segments - 1 ? 517 : 1200), got.get(i), "datagram " + i);
        }
        // On loopback the GSO train reaches a GRO socket whole: one slot, split by us.
        assertTrue(rx.counters().get(IoCounter.GRO_COALESCED) >= 1, rx.counters().toString());
        assertEquals(segments, rx.counters().get(IoCounter.GRO_SEGMENTS), "every datagram came out of a coalesced slot");
        assertEquals(segments, rx.counters().get(IoCounter.DATAGRAMS_RECEIVED));
    }

    @ParameterizedTest
    @ValueSource(ints = {Errno.EIO, Errno.EINVAL})
    void gsoFailureTurnsGsoOffAndResendsTheSameTrain(int errno) throws Exception {
        LinuxUdpSocket tx = (LinuxUdpSocket) openLoopback();
        UdpSocket rx = openLoopback();
        tx.injectGsoFailure(errno);
        int segments = 12;
        SendBatch sb = train(SockAddr.of(rx.localAddress()), segments, 1000, 999);
        tx.sendTrain(sb);
        assertFalse(tx.gsoEnabled());
        assertEquals(1, tx.counters().get(IoCounter.GSO_DOWNGRADES));
        assertEquals(0, tx.counters().get(IoCounter.GSO_TRAINS));
        assertEquals(segments, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        List<byte[]> got = receiveAll(rx, batch(64, 2048), segments);
        for (int i = 0; i < segments; i++) {
            assertArrayEquals(payload(i, i == segments - 1 ? 999 : 1000), got.get(i), "nothing lost: " + i);
        }
        // Later trains go out datagram by datagram without trying GSO again.
        sb.clear();
        SendBatch again = train(SockAddr.of(rx.localAddress()), 3, 100, 100);
        tx.sendTrain(again);
        assertEquals(1, tx.counters().get(IoCounter.GSO_DOWNGRADES));
        assertEquals(3, receiveAll(rx, batch(8, 2048), 3).size());
    }

    @Test
    void aTrainTooBigForThePathIsResentSinglyAndGsoStaysOn() throws Exception {
        LinuxUdpSocket tx = (LinuxUdpSocket) openLoopback();
        UdpSocket rx = openLoopback();
        tx.injectGsoFailure(Errno.EMSGSIZE);
        SendBatch sb = train(SockAddr.of(rx.localAddress()), 6, 1000, 700);
        tx.sendTrain(sb);
        assertTrue(tx.gsoEnabled(), "EMSGSIZE is about this train's path, not the socket");
        assertEquals(1, tx.counters().get(IoCounter.GSO_TOO_BIG));
        assertEquals(0, tx.counters().get(IoCounter.GSO_DOWNGRADES));
        assertEquals(0, sb.refused());
        List<byte[]> got = receiveAll(rx, batch(64, 2048), 6);
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(payload(i, i == 5 ? 700 : 1000), got.get(i), "nothing lost: " + i);
        }
        sb.clear();
        tx.sendTrain(train(SockAddr.of(rx.localAddress()), 3, 100, 100));
        assertEquals(1, tx.counters().get(IoCounter.GSO_TRAINS), "the next train is a GSO train again");
    }

    @Test
    void aContiguousTrainIsOneGsoSendAndSurvivesADowngrade() throws Exception {
        LinuxUdpSocket tx = (LinuxUdpSocket) open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0))
                .sendBuffer(1 << 20));
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).receiveBuffer(4 << 20));
        SockAddr dest = SockAddr.of(rx.localAddress());
        MemorySegment data = arena.allocate(65_536, 4096);
        for (int i = 0; i < 46; i++) {
            MemorySegment.copy(payload(i, 1400), 0, data, ValueLayout.JAVA_BYTE, i * 1400L, 1400);
        }
        SendBatch sb = sendBatch(64);
        assertEquals(46, sb.addTrain(data, 0, 46 * 1400, 1400, dest));
        tx.sendTrain(sb);
        assertEquals(1, tx.counters().get(IoCounter.GSO_TRAINS));
        assertEquals(1, tx.counters().get(IoCounter.SEND_CALLS), "one sendmsg for 64,400 bytes");
        List<byte[]> got = receiveAll(rx, batch(64, 2048), 46);
        for (int i = 0; i < 46; i++) {
            assertArrayEquals(payload(i, 1400), got.get(i), "datagram " + i);
        }
        // EIO from the kernel: GSO off, the same contiguous train resent datagram by datagram.
        tx.injectGsoFailure(Errno.EIO);
        sb.clear();
        assertEquals(46, sb.addTrain(data, 0, 46 * 1400, 1400, dest));
        tx.sendTrain(sb);
        assertEquals(1, tx.counters().get(IoCounter.GSO_DOWNGRADES));
        got = receiveAll(rx, batch(64, 2048), 46);
        for (int i = 0; i < 46; i++) {
            assertArrayEquals(payload(i, 1400), got.get(i), "after the downgrade, datagram " + i);
        }
    }

    @Test
    void gsoSwitchedOffByOptionSendsDatagramByDatagram() throws Exception {
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).gso(false));
        UdpSocket rx = openLoopback();
        assertFalse(tx.gsoEnabled());
        tx.sendTrain(train(SockAddr.of(rx.localAddress()), 5, 300, 200));
        assertEquals(0, tx.counters().get(IoCounter.GSO_TRAINS));
        assertEquals(5, receiveAll(rx, batch(8, 2048), 5).size());
    }

    @Test
    void kernelDropsOnAFullReceiveQueueAreCounted() throws Exception {
        // A tiny receive buffer (the kernel doubles and floors it) overflows after a few datagrams.
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).receiveBuffer(1));
        DatagramChannel tx = jdkChannel(LO4);
        for (int i = 0; i < 500; i++) {
            tx.send(ByteBuffer.wrap(payload(i, 1000)), rx.localAddress());
        }
        RecvBatch b = batch(64, 2048);
        int got = rx.receive(b);
        // The kernel stamps its drop count on each datagram as it is queued, so the count shows
        // on the first datagram queued after the drops.
        tx.send(ByteBuffer.wrap(payload(0, 1)), rx.localAddress());
        got += rx.receive(b);
        long drops = rx.counters().get(IoCounter.KERNEL_DROPS);
        assertTrue(drops > 0 && got + drops == 501, "received " + got + ", kernel drops " + drops);
    }

    @Test
    void icmpUnreachableOnAConnectedSocketIsCountedNotThrown() throws Exception {
        DatagramChannel gone = jdkChannel(LO4);
        InetSocketAddress dead = (InetSocketAddress) gone.getLocalAddress();
        gone.close();
        UdpSocket s = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).connect(dead));
        SendBatch sb = sendBatch(4);
        for (int i = 0; i < 4; i++) {
            sb.add(nativeCopy(payload(i, 10)), 0, 10, null);
        }
        s.send(sb); // each send draws an ICMP port unreachable that the next call reports
        assertEquals(0, sb.remaining());
        RecvBatch b = batch(4, 256);
        assertEquals(0, s.tryReceive(b));
        assertTrue(s.counters().get(IoCounter.RECEIVE_ERRORS) + s.counters().get(IoCounter.SEND_DROPPED) >= 1,
                s.counters().toString());
        assertTrue(s.isOpen());
    }
}
