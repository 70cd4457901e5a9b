package io.switchyard.bench.e2e;

import io.switchyard.io.Datagrams;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.client.WireGuardClient;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * One-way latency through the hub, measured inside one process (one clock): a probe peer seals a
 * datagram carrying {@code System.nanoTime()} every {@code intervalMicros} and sends it to the
 * hub; the probe sink, a native socket parked on the epoll poller (as a receiving program would
 * be), opens it and records {@code now - stamp} in an HdrHistogram. The same probe without the
 * hub (a plain loopback datagram between two native sockets, same wake-up path) is the
 * baseline: added latency is the difference of the two at each percentile.
 */
final class LatencyProbe {
    private LatencyProbe() {}

    /** Through the hub: {@code sender} and {@code sink} are peers with sessions; the sink's socket already roamed. */
    static Histogram throughHub(WireGuardClient sender, byte[] sinkAddress, WireGuardClient sinkClient, UdpSocket sinkSocket,
            long intervalMicros, AtomicBoolean stop) throws Exception {
        Histogram h = new Histogram(10_000_000_000L, 3);
        Thread rx = Thread.ofPlatform().daemon().name("probe-sink").start(() -> {
            ByteBuffer open = ByteBuffer.allocateDirect(2048).order(ByteOrder.BIG_ENDIAN);
            try (RecvBatch batch = new RecvBatch(16, 2048)) {
                while (!stop.get()) {
                    int n = sinkSocket.receive(batch);
                    long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        int len = batch.length(i);
                        MemorySegment.copy(batch.buffer(i), batch.offset(i), MemorySegment.ofBuffer(open), 0, len);
                        if (sinkClient.openInPlace(open, 0, len) > 0) {
                            long stamp = open.getLong(WireGuardClient.PAYLOAD_OFFSET);
                            h.recordValue(Math.max(0, now - stamp));
                        }
                    }
                }
            } catch (Exception e) {
                // socket closed at the end
            }
        });
        while (!stop.get()) {
            sender.sendBuffer().putLong(WireGuardClient.PAYLOAD_OFFSET, System.nanoTime());
            sender.sendPrepared(sinkAddress, 1, 2, 16);
            sender.poll(null);
            java.util.concurrent.locks.LockSupport.parkNanos(intervalMicros * 1000);
        }
        sinkSocket.close();
        rx.join(5000);
        return h;
    }

    /** The baseline: the same probe as a plain loopback datagram between two native sockets. */
    static Histogram loopback(long intervalMicros, long millis) throws Exception {
        Histogram h = new Histogram(10_000_000_000L, 3);
        UdpSocket rxSocket = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress("127.0.0.1", 0)));
        UdpSocket txSocket = Datagrams.open(UdpOptions.create().bind(new InetSocketAddress("127.0.0.1", 0))
                .connect(rxSocket.localAddress()));
        AtomicBoolean stop = new AtomicBoolean();
        Thread rx = Thread.ofPlatform().daemon().name("probe-baseline").start(() -> {
            try (RecvBatch batch = new RecvBatch(16, 2048)) {
                while (!stop.get()) {
                    int n = rxSocket.receive(batch);
                    long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        h.recordValue(Math.max(0, now - batch.buffer(i).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED,
                                batch.offset(i))));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        try (Arena arena = Arena.ofConfined(); SendBatch b = new SendBatch(1)) {
            MemorySegment seg = arena.allocate(64);
            long end = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, System.nanoTime());
                b.clear();
                b.add(seg, 0, 64, null);
                txSocket.send(b);
                java.util.concurrent.locks.LockSupport.parkNanos(intervalMicros * 1000);
            }
        }
        stop.set(true);
        rxSocket.close();
        txSocket.close();
        rx.join(5000);
        return h;
    }
}
