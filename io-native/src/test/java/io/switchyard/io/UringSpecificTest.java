package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.Linux;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What only the io_uring transport has: the provided-buffer ring (recycling when more datagrams
 * arrive than it holds, lending to batch slots), the multishot request's end and re-arm,
 * SENDMSG_ZC notifications mapped onto the error-queue contract, and waking a completion
 * waiter on close. Real loopback sockets and a real ring.
 */
class UringSpecificTest extends SocketFixture implements IoUringRequired {
    @Override
    Transport transport() {
        return Transport.URING;
    }

    @Test
    void moreDatagramsThanRingBuffersAllArriveThroughRecycling() throws Exception {
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).receiveBuffer(8 << 20));
        DatagramChannel tx = jdkChannel(LO4);
        int count = 3 * UringReceiver.RECV_BUFFERS + 17;
        // Nobody receives while these go out: the kernel fills all ring buffers, ends the
        // multishot request with ENOBUFS, and the rest wait in the socket's queue.
        for (int i = 0; i < count; i++) {
            tx.send(ByteBuffer.wrap(payload(i, 100)), rx.localAddress());
        }
        RecvBatch b = batch(64, 2048);
        List<byte[]> got = receiveAll(rx, b, count);
        for (int i = 0; i < count; i++) {
            assertArrayEquals(payload(i, 100), got.get(i), "datagram " + i);
        }
        IoCounters c = rx.counters();
        assertEquals(count, c.get(IoCounter.DATAGRAMS_RECEIVED));
        assertEquals(0, c.get(IoCounter.TRUNCATED));
        assertEquals(0, c.get(IoCounter.KERNEL_DROPS), "the socket queue held what the ring could not");
        assertTrue(c.get(IoCounter.URING_BUFFERS_EXHAUSTED) >= 1, c.toString());
        assertTrue(c.get(IoCounter.URING_REARMS) >= 1, c.toString());
        assertEquals(0, c.get(IoCounter.URING_BAD_COMPLETIONS));
        assertEquals(0, rx.tryReceive(b));
    }

    @Test
    void anEmptyDatagramEndsTheMultishotRequestWhichIsReArmed() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        RecvBatch b = batch(8, 2048);
        for (int round = 0; round < 3; round++) {
            tx.send(ByteBuffer.wrap(payload(round, 100)), rx.localAddress());
            // A zero-length datagram completes the request without IORING_CQE_F_MORE (the kernel
            // treats a 0-byte receive as the end); what follows must still arrive.
            tx.send(ByteBuffer.allocate(0), rx.localAddress());
            tx.send(ByteBuffer.wrap(payload(round + 10, 100)), rx.localAddress());
            List<byte[]> got = receiveAll(rx, b, 3);
            assertArrayEquals(payload(round, 100), got.get(0));
            assertEquals(0, got.get(1).length);
            assertArrayEquals(payload(round + 10, 100), got.get(2));
        }
        assertTrue(rx.counters().get(IoCounter.URING_REARMS) >= 3, rx.counters().toString());
    }

    @Test
    void ownSlotsAreLentTheRingBufferAndGetTheirOwnBackOnClear() throws Exception {
        UdpSocket rx = openLoopback();
        DatagramChannel tx = jdkChannel(LO4);
        RecvBatch b = batch(4, 2048);
        java.lang.foreign.MemorySegment own0 = b.slotBuffer(0);
        // Many single-datagram rounds: more than the ring holds, so buffers must come back.
        for (int i = 0; i < 2 * UringReceiver.RECV_BUFFERS; i++) {
            tx.send(ByteBuffer.wrap(payload(i, 300)), rx.localAddress());
            assertEquals(1, rx.receive(b));
            assertArrayEquals(payload(i, 300), bytes(b, 0));
            assertNotEquals(own0.address(), b.buffer(0).address(), "no copy: the slot shows the ring buffer");
            assertTrue(b.offset(0) > 0, "the payload follows the kernel's recvmsg header");
            assertEquals(tx.getLocalAddress(), b.source(0));
        }
        assertThrows(IllegalStateException.class, () -> b.attach(0, arena.allocate(2048)),
                "a lent ring buffer is the socket's, not the caller's to take");
        // The same batch on the epoll transport: clearing restored its own buffers.
        UdpSocket nat = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).transport(Transport.NATIVE));
        toClose.add(nat);
        tx.send(ByteBuffer.wrap(payload(7, 200)), nat.localAddress());
        assertEquals(1, nat.receive(b));
        assertEquals(own0.address(), b.buffer(0).address());
        assertEquals(0, b.offset(0));
        assertArrayEquals(payload(7, 200), bytes(b, 0));
    }

    @Test
    void receivingGoesOnAfterTheThreadThatArmedTheRequestExits() throws Exception {
        // The multishot request is armed by the first receive call and its receive work runs as
        // task work of that thread; when the thread exits, the kernel ends or moves the request,
        // and the socket must notice and re-arm rather than go deaf.
        AtomicReference<UdpSocket> opened = new AtomicReference<>();
        Thread armer = Thread.ofPlatform().start(() -> {
            try {
                UdpSocket s = openLoopback();
                RecvBatch first = new RecvBatch(4, 2048);
                assertEquals(0, s.tryReceive(first)); // arms, on this thread
                first.close();
                opened.set(s);
            } catch (TransportException e) {
                throw new IllegalStateException(e);
            }
        });
        armer.join();
        UdpSocket rx = opened.get();
        DatagramChannel tx = jdkChannel(LO4);
        RecvBatch b = batch(16, 2048);
        CompletableFuture<List<byte[]>> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                got.complete(receiveAll(rx, b, 10));
            } catch (Throwable t) {
                got.completeExceptionally(t);
            }
        });
        for (int i = 0; i < 10; i++) {
            tx.send(ByteBuffer.wrap(payload(i, 64)), rx.localAddress());
        }
        List<byte[]> list = got.get(20, TimeUnit.SECONDS);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(payload(i, 64), list.get(i));
        }
    }

    record Completion(int origin, int errno, int code, int info, int data) {}

    @Test
    void sendZcNotificationsArriveAsZerocopyErrorQueueRecords() throws Exception {
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).zeroCopy(true));
        UdpSocket rx = openLoopback();
        SockAddr dest = SockAddr.of(rx.localAddress());
        List<Completion> completions = new ArrayList<>();
        ErrorQueueSink sink = (origin, errno, code, info, data) ->
                completions.add(new Completion(origin, errno, code, info, data));
        RecvBatch rb = batch(64, 2048);
        int sends = 3;
        for (int round = 0; round < sends; round++) {
            SendBatch sb = sendBatch(64);
            int n = round == sends - 1 ? 1 : 10; // two GSO trains and a single datagram
            for (int i = 0; i < n; i++) {
                sb.add(nativeCopy(payload(round * 10 + i, 1400)), 0, 1400, dest);
            }
            assertEquals(n, tx.trySendZeroCopy(sb));
            assertEquals(round + 1, tx.zeroCopySends());
            List<byte[]> got = receiveAll(rx, rb, n);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(payload(round * 10 + i, 1400), got.get(i));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int covered = 0;
        while (covered < sends && System.nanoTime() < deadline) {
            if (tx.readErrorQueue(sink) == 0) {
                tx.awaitErrorQueue();
            }
            covered = completions.stream().mapToInt(c -> c.data() - c.info() + 1).sum();
        }
        assertEquals(sends, covered, completions.toString());
        for (Completion c : completions) {
            assertEquals(Linux.SO_EE_ORIGIN_ZEROCOPY, c.origin());
            assertEquals(0, c.errno());
            assertEquals(Linux.SO_EE_CODE_ZEROCOPY_COPIED, c.code(), "loopback always copies");
        }
        assertEquals(0, completions.getFirst().info());
        assertEquals(sends - 1, completions.getLast().data());
        assertEquals(completions.size(), tx.counters().get(IoCounter.ZEROCOPY_COMPLETIONS));
        assertEquals(0, tx.readErrorQueue(sink), "each notification is reported once");
    }

    @Test
    void closeWakesAThreadWaitingForZerocopyNotifications() throws Exception {
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).zeroCopy(true));
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                tx.awaitErrorQueue();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (waiter.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        tx.close();
        assertInstanceOf(SocketClosedException.class, outcome.get(30, TimeUnit.SECONDS));
    }

    /**
     * A train the kernel refuses is resent datagram by datagram with nothing lost: after EIO or
     * EINVAL with GSO off for the socket from then on, after EMSGSIZE (too big for this path)
     * with GSO still on.
     */
    @ParameterizedTest
    @ValueSource(ints = {Errno.EIO, Errno.EINVAL, Errno.EMSGSIZE})
    void aRefusedTrainIsResentDatagramByDatagram(int errno) throws Exception {
        UringUdpSocket tx = (UringUdpSocket) openLoopback();
        DatagramChannel rx = jdkChannel(LO4);
        SendBatch sb = sendBatch(64);
        SockAddr dest = SockAddr.of((InetSocketAddress) rx.getLocalAddress());
        for (int i = 0; i < 12; i++) {
            sb.add(nativeCopy(payload(i, 1000)), 0, 1000, dest);
        }
        tx.injectGsoFailure(errno);
        tx.sendTrain(sb);
        boolean downgrade = errno != Errno.EMSGSIZE;
        assertEquals(downgrade ? 1 : 0, tx.counters().get(IoCounter.GSO_DOWNGRADES));
        assertEquals(downgrade ? 0 : 1, tx.counters().get(IoCounter.GSO_TOO_BIG));
        assertEquals(!downgrade, tx.gsoEnabled());
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(payload(i, 1000), receiveOne(rx), "datagram " + i);
        }
        assertEquals(0, tx.lateCompletions(), "every send completed inside io_uring_enter");
    }

    @Test
    void anIcmpErrorEndsTheMultishotReceiveIsCountedAndSendingGoesOn() throws Exception {
        // A connected socket whose peer port is closed gets an ICMP port unreachable. With a
        // multishot recvmsg armed, the receive side takes the socket error (not the next send,
        // as with sendmmsg): the request ends with ECONNREFUSED, is counted and re-armed.
        DatagramChannel gone = jdkChannel(LO4);
        InetSocketAddress peer = (InetSocketAddress) gone.getLocalAddress();
        gone.close();
        UdpSocket tx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).connect(peer));
        SendBatch probe = sendBatch(1);
        probe.add(nativeCopy(payload(99, 10)), 0, 10, null);
        tx.send(probe);
        RecvBatch rb = batch(4, 2048);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (tx.counters().get(IoCounter.RECEIVE_ERRORS) == 0 && System.nanoTime() < deadline) {
            assertEquals(0, tx.tryReceive(rb));
            Thread.sleep(1);
        }
        assertEquals(1, tx.counters().get(IoCounter.RECEIVE_ERRORS), tx.counters().toString());
        assertTrue(tx.counters().get(IoCounter.URING_REARMS) >= 1, tx.counters().toString());
        DatagramChannel back = DatagramChannel.open(java.net.StandardProtocolFamily.INET).bind(peer);
        toClose.add(back);
        SendBatch sb = sendBatch(8);
        for (int i = 0; i < 5; i++) {
            sb.add(nativeCopy(payload(i, 50)), 0, 50, null);
        }
        tx.send(sb);
        ByteBuffer buf = ByteBuffer.allocate(128);
        for (int i = 0; i < 5; i++) {
            buf.clear();
            back.receive(buf);
            assertArrayEquals(payload(i, 50), java.util.Arrays.copyOf(buf.array(), buf.position()), "datagram " + i);
        }
        // The peer answers; the re-armed receive gets it.
        back.send(ByteBuffer.wrap(payload(7, 30)), tx.localAddress());
        List<byte[]> got = receiveAll(tx, rb, 1);
        assertArrayEquals(payload(7, 30), got.getFirst());
        assertEquals(0, tx.counters().get(IoCounter.URING_SEND_REORDERED));
    }

    @Test
    void kernelVersionsAreCompared() {
        assertTrue(UringReceiver.kernelAtLeast("6.18.44-fc-v1045", 6, 6));
        assertTrue(UringReceiver.kernelAtLeast("7.0.1", 6, 6));
        assertTrue(!UringReceiver.kernelAtLeast("6.1.0-27-amd64", 6, 6));
        assertTrue(!UringReceiver.kernelAtLeast("weird", 6, 6));
    }

    @Test
    void groTrainsAreSplitFromOneRingBuffer() throws Exception {
        UdpSocket rx = open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)).gro(true));
        assumeTrue(rx.groEnabled(), "UDP_GRO refused");
        UdpSocket tx = openLoopback();
        SendBatch sb = sendBatch(64);
        SockAddr dest = SockAddr.of(rx.localAddress());
        for (int i = 0; i < 40; i++) {
            int len = i == 39 ? 77 : 1200;
            sb.add(nativeCopy(payload(i, len)), 0, len, dest);
        }
        tx.sendTrain(sb);
        assertEquals(1, tx.counters().get(IoCounter.GSO_TRAINS));
        List<byte[]> got = receiveAll(rx, batch(8, RecvBatch.GRO_SLOT_SIZE), 40);
        for (int i = 0; i < 40; i++) {
            assertArrayEquals(payload(i, i == 39 ? 77 : 1200), got.get(i), "segment " + i);
        }
        assertTrue(rx.counters().get(IoCounter.GRO_COALESCED) >= 1, rx.counters().toString());
    }
}
