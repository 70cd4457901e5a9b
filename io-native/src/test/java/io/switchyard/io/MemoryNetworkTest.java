package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The in-memory transport keeps the UdpSocket contract the hub relies on. */
class MemoryNetworkTest {
    private final MemoryNetwork net = new MemoryNetwork();
    private final Arena arena = Arena.ofAuto();

    private MemorySegment bytes(byte[] b) {
        MemorySegment s = arena.allocate(b.length);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    private UdpSocket open(int port) throws TransportException {
        return net.open(UdpOptions.create().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
    }

    @Test
    void datagramsArriveWholeInOrderWithTheirSender() throws Exception {
        UdpSocket a = open(0);
        UdpSocket b = net.open(UdpOptions.create().bind(new InetSocketAddress(InetAddress.getByName("::"), 0)));
        SendBatch sb = new SendBatch(8);
        for (int i = 1; i <= 3; i++) {
            sb.add(bytes(new byte[] {(byte) i, 2, 3}), 0, i, SockAddr.of(new InetSocketAddress("127.0.0.1", b.localAddress().getPort())));
        }
        a.send(sb);
        RecvBatch rb = new RecvBatch(8, 2048);
        assertEquals(3, b.receive(rb));
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, rb.length(i));
            assertEquals(i + 1, rb.buffer(i).get(ValueLayout.JAVA_BYTE, rb.offset(i)));
            assertEquals(a.localAddress().getPort(), rb.source(i).getPort());
        }
        assertEquals(3, b.counters().get(IoCounter.DATAGRAMS_RECEIVED));
    }

    @Test
    void tooLongForTheSlotIsTruncatedAndAFullQueueDrops() throws Exception {
        UdpSocket a = open(0);
        UdpSocket b = open(0);
        SendBatch sb = new SendBatch(1);
        SockAddr to = SockAddr.of(b.localAddress());
        sb.add(bytes(new byte[100]), 0, 100, to);
        a.send(sb);
        RecvBatch small = new RecvBatch(4, 50);
        assertEquals(0, b.tryReceive(small));
        assertEquals(1, small.truncated());
        for (int i = 0; i < MemoryNetwork.QUEUE + 5; i++) {
            sb.clear();
            sb.add(bytes(new byte[] {1}), 0, 1, to);
            a.send(sb);
        }
        assertEquals(5, b.counters().get(IoCounter.KERNEL_DROPS));
    }

    @Test
    void aBoundPortIsRefusedAndClosingWakesAWaiter() throws Exception {
        UdpSocket a = open(0);
        assertThrows(TransportException.class, () -> open(a.localAddress().getPort()));
        CompletableFuture<Throwable> waited = CompletableFuture.supplyAsync(() -> {
            try {
                a.awaitReadable();
                return null;
            } catch (TransportException e) {
                return e;
            }
        }, r -> Thread.ofVirtual().start(r));
        Thread.sleep(50);
        a.close();
        assertEquals(SocketClosedException.class, waited.get(10, TimeUnit.SECONDS).getClass());
        UdpSocket again = open(a.localAddress().getPort()); // the port is free again
        again.close();
    }
}
