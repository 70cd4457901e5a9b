package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The behavioural suite every transport passes, on real loopback sockets. Where possible the
 * other end is the JDK's own {@link DatagramChannel}, an implementation that shares no code
 * with ours.
 */
abstract class UdpSocketContract extends SocketFixture {

    @Test
    void burstArrivesInOrderWithBoundariesThroughOneBatchCall() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        int count = 32;
        for (int i = 0; i < count; i++) {
            tx.send(ByteBuffer.wrap(payload(i, 100)), rx.localAddress());
        }
        RecvBatch b = batch(64, 2048);
        int n = rx.receive(b);
        assertEquals(count, n, "loopback delivers in the sender's syscall, so one call sees the whole burst");
        for (int i = 0; i < count; i++) {
            assertArrayEquals(payload(i, 100), bytes(b, i), "datagram " + i);
            assertEquals(tx.getLocalAddress(), b.source(i));
        }
        assertEquals(count, rx.counters().get(IoCounter.DATAGRAMS_RECEIVED));
        assertEquals(0, rx.tryReceive(b), "nothing left: a non-blocking receive says 0");
    }

    @Test
    void mixedSizesKeepTheirLengths() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        Random rnd = new Random(42);
        int[] sizes = new int[200];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = i % 17 == 0 ? 0 : 1 + rnd.nextInt(i % 5 == 0 ? 9000 : 1472);
        }
        RecvBatch b = batch(16, 9001);
        List<byte[]> got = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            tx.send(ByteBuffer.wrap(payload(i, sizes[i])), rx.localAddress());
            if (i % 50 == 49) { // stay well inside the default receive buffer
                got.addAll(receiveAll(rx, b, 50));
            }
        }
        assertEquals(sizes.length, got.size());
        for (int i = 0; i < sizes.length; i++) {
            assertArrayEquals(payload(i, sizes[i]), got.get(i), "datagram " + i + " of size " + sizes[i]);
        }
    }

    @Test
    void truncatedDatagramsAreDroppedAndCounted() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        tx.send(ByteBuffer.wrap(payload(1, 1000)), rx.localAddress());
        tx.send(ByteBuffer.wrap(payload(2, 100)), rx.localAddress());
        RecvBatch b = batch(8, 512);
        List<byte[]> got = receiveAll(rx, b, 1);
        assertEquals(1, got.size());
        assertArrayEquals(payload(2, 100), got.get(0));
        assertEquals(1, rx.counters().get(IoCounter.TRUNCATED));
    }

    /** A receive that found only a truncated datagram returned none: it is not a receive call. */
    @Test
    void aReceiveOfOnlyTruncatedDatagramsIsNotCountedAsACall() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        RecvBatch b = batch(8, 512);
        tx.send(ByteBuffer.wrap(payload(1, 1000)), rx.localAddress());
        while (rx.counters().get(IoCounter.TRUNCATED) == 0) {
            if (rx.tryReceive(b) == 0 && rx.counters().get(IoCounter.TRUNCATED) == 0) {
                rx.awaitReadable();
            }
        }
        assertEquals(0, b.count());
        assertEquals(0, rx.counters().get(IoCounter.RECEIVE_CALLS), rx.counters().toString());
        tx.send(ByteBuffer.wrap(payload(2, 100)), rx.localAddress());
        assertEquals(1, receiveAll(rx, b, 1).size());
        assertEquals(1, rx.counters().get(IoCounter.RECEIVE_CALLS));
        assertEquals(1.0, rx.counters().averageReceiveBatch());
    }

    /**
     * A datagram the kernel refuses on its own (here EMSGSIZE: more than UDP's 65,507 bytes) is
     * skipped and recorded as refused, with its class, while the rest of the batch still goes.
     */
    @Test
    void aDatagramTheKernelRefusesIsRecordedAndTheRestOfTheBatchGoes() throws Exception {
        UdpSocket tx = openLoopback();
        DatagramChannel rx = jdkChannel(LO4);
        SockAddr to = SockAddr.of((InetSocketAddress) rx.getLocalAddress());
        SendBatch sb = sendBatch(4);
        MemorySegment huge = arena.allocate(65_600, 8);
        sb.add(nativeCopy(payload(1, 100)), 0, 100, to);
        sb.add(huge, 0, 65_600, to);
        sb.add(nativeCopy(payload(3, 300)), 0, 300, to);
        tx.send(sb);
        assertEquals(0, sb.remaining());
        assertEquals(1, sb.refused());
        assertEquals(null, sb.refusal(0));
        assertEquals(SendRefusal.TOO_BIG, sb.refusal(1));
        assertEquals(null, sb.refusal(2));
        assertEquals(1, tx.counters().get(IoCounter.SEND_DROPPED));
        assertEquals(2, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        assertArrayEquals(payload(1, 100), receiveOne(rx));
        assertArrayEquals(payload(3, 300), receiveOne(rx));
        sb.clear();
        assertEquals(0, sb.refused(), "clear forgets the refusals");
        sb.add(nativeCopy(payload(4, 10)), 0, 10, to);
        assertEquals(null, sb.refusal(0));
    }

    @Test
    void sendBatchReachesEachDestination() throws Exception {
        UdpSocket tx = openLoopback();
        DatagramChannel a = jdkChannel(LO4);
        DatagramChannel c = jdkChannel(LO4);
        SockAddr toA = SockAddr.of((InetSocketAddress) a.getLocalAddress());
        SockAddr toC = SockAddr.of((InetSocketAddress) c.getLocalAddress());
        SendBatch sb = sendBatch(16);
        for (int i = 0; i < 10; i++) {
            assertTrue(sb.add(nativeCopy(payload(i, 60 + i)), 0, 60 + i, i % 2 == 0 ? toA : toC));
        }
        tx.send(sb);
        assertEquals(0, sb.remaining());
        assertEquals(10, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        ByteBuffer buf = ByteBuffer.allocate(2048);
        for (int i = 0; i < 10; i++) {
            DatagramChannel from = i % 2 == 0 ? a : c;
            buf.clear();
            assertEquals(tx.localAddress(), from.receive(buf));
            buf.flip();
            byte[] got = new byte[buf.remaining()];
            buf.get(got);
            assertArrayEquals(payload(i, 60 + i), got);
        }
    }

    @Test
    void trainArrivesAtAPlainReceiverAsSeparateDatagrams() throws Exception {
        UdpSocket tx = openLoopback();
        DatagramChannel rx = jdkChannel(LO4);
        SockAddr dest = SockAddr.of((InetSocketAddress) rx.getLocalAddress());
        SendBatch sb = sendBatch(64);
        int segments = 20;
        for (int i = 0; i < segments; i++) {
            int len = i == segments - 1 ? 333 : 1400;
            sb.add(nativeCopy(payload(i, len)), 0, len, dest);
        }
        tx.sendTrain(sb);
        assertEquals(segments, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        ByteBuffer buf = ByteBuffer.allocate(65536);
        for (int i = 0; i < segments; i++) {
            buf.clear();
            rx.receive(buf);
            buf.flip();
            byte[] got = new byte[buf.remaining()];
            buf.get(got);
            assertArrayEquals(payload(i, i == segments - 1 ? 333 : 1400), got, "segment " + i);
        }
    }

    /** A 64 KiB-class train from ONE contiguous buffer (46 x 1,400 B + a 300 B tail). */
    MemorySegment contiguousTrain(int segments, int segment, int last) {
        MemorySegment data = arena.allocate(65_536, 4096);
        for (int i = 0; i < segments; i++) {
            byte[] p = payload(i, i == segments - 1 ? last : segment);
            MemorySegment.copy(p, 0, data, ValueLayout.JAVA_BYTE, (long) i * segment, p.length);
        }
        return data;
    }

    @Test
    void aContiguousTrainArrivesAtAPlainReceiverAsSeparateDatagrams() throws Exception {
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).sendBuffer(1 << 20));
        DatagramChannel rx = jdkChannel(LO4);
        rx.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        SockAddr dest = SockAddr.of((InetSocketAddress) rx.getLocalAddress());
        SendBatch sb = sendBatch(64);
        int segments = 47;
        int bytes = 46 * 1400 + 300;
        assertEquals(segments, sb.addTrain(contiguousTrain(segments, 1400, 300), 0, bytes, 1400, dest));
        assertEquals(segments, sb.size());
        assertEquals(0, sendBatch(46).addTrain(contiguousTrain(segments, 1400, 300), 0, bytes, 1400, dest),
                "no room for 47: nothing added");
        tx.sendTrain(sb);
        assertEquals(0, sb.remaining());
        assertEquals(segments, tx.counters().get(IoCounter.DATAGRAMS_SENT));
        ByteBuffer buf = ByteBuffer.allocate(65536);
        for (int i = 0; i < segments; i++) {
            buf.clear();
            rx.receive(buf);
            buf.flip();
            byte[] got = new byte[buf.remaining()];
            buf.get(got);
            assertArrayEquals(payload(i, i == segments - 1 ? 300 : 1400), got, "segment " + i);
        }
    }

    @Test
    void invalidTrainIsRefusedBeforeAnythingIsSent() throws Exception {
        UdpSocket tx = openLoopback();
        SockAddr dest = SockAddr.of(tx.localAddress());
        SendBatch sb = sendBatch(8);
        sb.add(nativeCopy(payload(0, 100)), 0, 100, dest);
        sb.add(nativeCopy(payload(1, 200)), 0, 200, dest); // last longer than the segment size
        assertThrows(IllegalArgumentException.class, () -> tx.trySendTrain(sb));
        assertEquals(2, sb.remaining());
    }

    @Test
    void ipv6LoopbackRoundTrip() throws Exception {
        InetAddress lo6 = InetAddress.getByName("::1");
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(lo6, 0)));
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(lo6, 0)));
        SendBatch sb = sendBatch(4);
        SockAddr dest = SockAddr.of(rx.localAddress());
        assertEquals(28, dest.length());
        sb.add(nativeCopy(payload(7, 500)), 0, 500, dest);
        tx.send(sb);
        RecvBatch b = batch(4, 2048);
        assertEquals(1, rx.receive(b));
        assertArrayEquals(payload(7, 500), bytes(b, 0));
        assertEquals(tx.localAddress(), b.source(0));
        SockAddr src = SockAddr.allocate();
        b.copySource(0, src);
        assertTrue(b.sourceEquals(0, src));
        assertEquals(SockAddr.of(tx.localAddress()), src);
    }

    @Test
    void dualStackSocketServesIpv4Peers() throws Exception {
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(InetAddress.getByName("::"), 0)));
        DatagramChannel tx4 = jdkChannel(LO4);
        tx4.send(ByteBuffer.wrap(payload(3, 77)), new InetSocketAddress(LO4, rx.localAddress().getPort()));
        RecvBatch b = batch(4, 2048);
        assertEquals(1, rx.receive(b));
        assertArrayEquals(payload(3, 77), bytes(b, 0));
        assertEquals(tx4.getLocalAddress(), b.source(0), "an IPv4-mapped source decodes as IPv4");
        // And back: an IPv4 destination on the dual-stack socket.
        SendBatch sb = sendBatch(1);
        SockAddr back = SockAddr.of((InetSocketAddress) tx4.getLocalAddress());
        sb.add(nativeCopy(payload(4, 88)), 0, 88, back);
        rx.send(sb);
        ByteBuffer buf = ByteBuffer.allocate(256);
        tx4.receive(buf);
        assertEquals(88, buf.position());
    }

    @Test
    void connectedSocketOnTheListenPortTakesItsPeersDatagrams() throws Exception {
        UdpSocket listen = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).reusePort(true));
        InetSocketAddress port = listen.localAddress();
        DatagramChannel peerA = jdkChannel(LO4);
        DatagramChannel peerB = jdkChannel(LO4);
        UdpSocket connected = open(UdpOptions.create().bind(port).reusePort(true)
                .connect((InetSocketAddress) peerA.getLocalAddress()));
        assertEquals(port, connected.localAddress());
        for (int i = 0; i < 5; i++) {
            peerA.send(ByteBuffer.wrap(payload(100 + i, 40)), port);
            peerB.send(ByteBuffer.wrap(payload(200 + i, 40)), port);
        }
        RecvBatch b = batch(16, 2048);
        List<byte[]> fromConnected = receiveAll(connected, b, 5);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(payload(100 + i, 40), fromConnected.get(i));
        }
        List<byte[]> fromListen = receiveAll(listen, b, 5);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(payload(200 + i, 40), fromListen.get(i));
            assertEquals(peerB.getLocalAddress(), b.source(i));
        }
        assertEquals(0, connected.tryReceive(b));
        // The connected socket sends to its peer without a destination.
        SendBatch sb = sendBatch(1);
        sb.add(nativeCopy(payload(9, 10)), 0, 10, null);
        connected.send(sb);
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertEquals(port, peerA.receive(buf));
    }

    @ParameterizedTest(name = "bound to {0}, peer on {1}")
    @CsvSource({"127.0.0.1, 127.0.0.1", "::, 127.0.0.1", "::, ::1"})
    void aConnectedSocketThatStopsReceivingKeepsWhatIsQueuedAndTheListenSocketGetsTheRest(String bind, String peerAt)
            throws Exception {
        assumeTrue(transport() != Transport.NIO, "the NIO transport's stopReceiving does nothing");
        UdpSocket listen = open(UdpOptions.create().bind(new InetSocketAddress(InetAddress.ofLiteral(bind), 0)).reusePort(true));
        InetSocketAddress port = listen.localAddress();
        DatagramChannel peer = jdkChannel(InetAddress.ofLiteral(peerAt));
        InetSocketAddress to = new InetSocketAddress(InetAddress.ofLiteral(peerAt), port.getPort());
        UdpSocket connected = open(UdpOptions.create().bind(port).reusePort(true)
                .connect((InetSocketAddress) peer.getLocalAddress()));
        for (int i = 0; i < 3; i++) {
            peer.send(ByteBuffer.wrap(payload(100 + i, 40)), to);
        }
        // Loopback queues a datagram on the receiving socket before the sender's call returns.
        connected.stopReceiving();
        for (int i = 0; i < 3; i++) {
            peer.send(ByteBuffer.wrap(payload(200 + i, 40)), to);
        }
        RecvBatch b = batch(16, 2048);
        List<byte[]> fromListen = receiveAll(listen, b, 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(payload(200 + i, 40), fromListen.get(i), "after stopReceiving: the listen socket");
        }
        List<byte[]> kept = receiveAll(connected, b, 3);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(payload(100 + i, 40), kept.get(i), "queued before stopReceiving: still there");
        }
        assertEquals(0, connected.tryReceive(b));
    }

    /** A virtual thread running {@code call}, and what it ended with (null: returned normally). */
    record Waiter(Thread thread, CompletableFuture<Throwable> outcome) {
        void interrupt() {
            thread.interrupt();
        }
    }

    @FunctionalInterface
    interface Wait {
        void run() throws Exception;
    }

    /** Starts {@code call} on a virtual thread and returns once that thread is parked in it (30 s hang guard). */
    static Waiter parkedIn(Wait call) throws InterruptedException {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return new Waiter(t, outcome);
    }

    @Test
    void closeWhileWaitingWakesTheWaiterWithAClearError() throws Exception {
        UdpSocket rx = openLoopback();
        RecvBatch b = batch(4, 2048);
        // Wait until the thread is parked inside receive, then close from here.
        Waiter waiter = parkedIn(() -> rx.receive(b));
        CompletableFuture<Throwable> outcome = waiter.outcome();
        rx.close();
        Throwable t = outcome.get(30, TimeUnit.SECONDS);
        assertInstanceOf(SocketClosedException.class, t);
        assertTrue(t.getMessage().contains("closed"), t.getMessage());
        assertFalse(rx.isOpen());
        assertThrows(SocketClosedException.class, () -> rx.tryReceive(b));
        rx.close(); // idempotent
    }

    @Test
    void aLimitedBatchTakesNoMoreSlotsAndLeavesTheRestQueued() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        for (int i = 0; i < 5; i++) {
            tx.send(ByteBuffer.wrap(new byte[] {(byte) i}), rx.localAddress());
        }
        RecvBatch b = batch(8, 2048);
        b.limit(2);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        int got = 0;
        while (got == 0 && System.nanoTime() < deadline) {
            got = rx.tryReceive(b);
            if (got == 0) {
                rx.awaitReadable();
            }
        }
        assertEquals(2, got, "at most the limit");
        assertEquals(0, b.buffer(0).get(ValueLayout.JAVA_BYTE, b.offset(0)));
        b.limit(b.capacity());
        List<Byte> rest = new ArrayList<>();
        while (rest.size() < 3 && System.nanoTime() < deadline) {
            int n = rx.tryReceive(b);
            for (int i = 0; i < n; i++) {
                rest.add(b.buffer(i).get(ValueLayout.JAVA_BYTE, b.offset(i)));
            }
            if (n == 0) {
                rx.awaitReadable();
            }
        }
        assertEquals(List.of((byte) 2, (byte) 3, (byte) 4), rest, "the rest stayed queued, in order");
    }

    @Test
    void anInterruptedWaiterGetsAnExceptionInsteadOfSpinning() throws Exception {
        UdpSocket rx = openLoopback();
        Waiter waiter = parkedIn(() -> rx.awaitReadable());
        CompletableFuture<Throwable> outcome = waiter.outcome();
        waiter.interrupt();
        Throwable t = outcome.get(30, TimeUnit.SECONDS);
        assertInstanceOf(WaitInterruptedException.class, t);
        assertTrue(rx.isOpen(), "an interrupt does not close the socket");
        // Already interrupted: reported at once, and the status is taken (cleared).
        CompletableFuture<Boolean> second = new CompletableFuture<>();
        Thread again = Thread.ofVirtual().start(() -> {
            Thread.currentThread().interrupt();
            try {
                rx.awaitReadable();
                second.complete(false);
            } catch (WaitInterruptedException e) {
                second.complete(!Thread.currentThread().isInterrupted());
            } catch (Throwable other) {
                second.completeExceptionally(other);
            }
        });
        assertTrue(second.get(30, TimeUnit.SECONDS), "the interrupt status is cleared when it is reported");
        again.join();
    }

    @Test
    void wakeReceiverReturnsAParkedWaiterAndKeepsTheSocketOpen() throws Exception {
        UdpSocket rx = openLoopback();
        Waiter waiter = parkedIn(() -> rx.awaitReadable());
        CompletableFuture<Throwable> outcome = waiter.outcome();
        assertFalse(outcome.isDone(), "nothing arrived: the waiter is still parked");
        rx.wakeReceiver();
        assertEquals(null, outcome.get(30, TimeUnit.SECONDS), "woken without an error");
        assertTrue(rx.isOpen());
        // The socket still receives afterwards.
        DatagramChannel tx = jdkChannel(LO4);
        tx.send(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), rx.localAddress());
        RecvBatch b = batch(4, 2048);
        assertEquals(1, rx.receive(b));
        assertEquals(3, b.length(0));
    }

    @Test
    void attachedBuffersReceiveInPlace() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        RecvBatch b = batch(2, 64);
        MemorySegment mine = arena.allocate(2048);
        MemorySegment old = b.attach(0, mine);
        assertEquals(64, old.byteSize());
        tx.send(ByteBuffer.wrap(payload(5, 1500)), rx.localAddress());
        assertEquals(1, rx.receive(b));
        assertEquals(mine.address(), b.buffer(0).address());
        assertArrayEquals(payload(5, 1500), mine.asSlice(0, 1500).toArray(ValueLayout.JAVA_BYTE));
    }
}
