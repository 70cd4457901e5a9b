package io.switchyard.bench.flood;

import io.switchyard.config.Key32;
import io.switchyard.io.Datagrams;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.client.WireGuardClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * One flood, sent from the flooder's namespace at a paced rate until {@link #stop}. Two shapes:
 *
 * <ul>
 *   <li>a {@link FloodPackets.Pool} sent round and round from one native socket per source
 *       address (each bound to its address and connected to the hub; the datagrams of a pass go
 *       out as a {@code sendmmsg} batch from the next source in turn), so the hub sees many
 *       sources at the same total rate. Zero-length datagrams need the native transport: the
 *       JDK's {@code DatagramChannel} does not send them. What the hub sends back (cookie
 *       replies) is drained and counted every 100 ms;</li>
 *   <li>the spray: one authenticated peer ({@link WireGuardClient}, which handshakes first) sealing
 *       inner UDP packets to every offline peer's overlay address in turn.</li>
 * </ul>
 *
 * Pacing: the thread sends what the clock owes it, at most a batch at a time, and parks 200 µs
 * in between; when it falls more than 100 ms behind (descheduled on a busy machine) the backlog
 * is skipped and counted as {@code behind} rather than sent as a burst. {@code sent} counts
 * datagrams the kernel took, not what reached the hub.
 */
final class Flooder {
    /** What a flood did: datagrams the kernel took, refused (per datagram), found no buffer room for, skipped. */
    record Stats(long sent, long refused, long blocked, long behind, long repliesReceived, double seconds) {
        double sentPps() {
            return seconds > 0 ? sent / seconds : 0;
        }
    }

    /** The authenticated peer of the spray and where it sends. */
    record Spray(Key32 privateKey, Key32 hubPublic, byte[] overlay, List<byte[]> targets, int innerBytes) {}

    private static final int BATCH = 32;
    private static final long PARK_NANOS = 200_000;

    private final InetSocketAddress hub;
    private final List<String> sources;
    private final long rate;
    private final FloodPackets.Pool pool;
    private final Spray spray;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile Throwable failure;
    private Thread thread;
    // written by the flooding thread, read after it is joined
    private long sent;
    private long refused;
    private long blocked;
    private long behind;
    private long replies;
    private long startNanos;
    private long endNanos;

    private Flooder(InetSocketAddress hub, List<String> sources, long rate, FloodPackets.Pool pool, Spray spray) {
        this.hub = hub;
        this.sources = sources;
        this.rate = rate;
        this.pool = pool;
        this.spray = spray;
    }

    /** Starts sending {@code pool} at {@code rate} datagrams/s from every address of {@code sources}, in {@code ns}. */
    static Flooder pool(FloodNetns ns, InetSocketAddress hub, List<String> sources, long rate, FloodPackets.Pool pool)
            throws Exception {
        return new Flooder(hub, sources, rate, pool, null).start(ns, "flooder");
    }

    /** Starts the spray at {@code rate} inner packets/s, in {@code ns}, once its peer has a session. */
    static Flooder spray(FloodNetns ns, InetSocketAddress hub, long rate, Spray spray) throws Exception {
        return new Flooder(hub, List.of(), rate, null, spray).start(ns, "sprayer");
    }

    private Flooder start(FloodNetns ns, String name) throws Exception {
        thread = ns.startInside(name, () -> {
            try {
                if (spray != null) {
                    runSpray();
                } else {
                    runPool();
                }
            } catch (Throwable e) {
                failure = e;
            } finally {
                endNanos = System.nanoTime();
                ready.countDown();
            }
        });
        if (!ready.await(30, TimeUnit.SECONDS)) {
            stop();
            throw new IllegalStateException(name + " did not start within 30 s");
        }
        if (failure != null) {
            throw new IllegalStateException(name + " failed to start", failure);
        }
        return this;
    }

    /** Stops the flood and says what it sent; throws what the flooding thread threw. */
    Stats stop() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        if (failure != null) {
            throw new IllegalStateException("the flooder failed", failure);
        }
        return new Stats(sent, refused, blocked, behind, replies, (endNanos - startNanos) / 1e9);
    }

    /** What the clock owes a flood since its start; a backlog beyond 100 ms is skipped and counted. */
    private static final class Pacer {
        private final long startNanos;
        private final long rate;
        private long offered;
        long behind;

        Pacer(long startNanos, long rate) {
            this.startNanos = startNanos;
            this.rate = rate;
        }

        /** Datagrams due now and not yet offered, at most {@code max}; the caller offers them all. */
        int take(long now, int max) {
            long due = (long) ((now - startNanos) / 1e9 * rate);
            if (due - offered > Math.max(BATCH, rate / 10)) {
                behind += due - offered - BATCH;
                offered = due - BATCH;
            }
            int n = (int) Math.min(due - offered, max);
            offered += n;
            return n;
        }
    }

    private void runPool() throws Exception {
        List<UdpSocket> sockets = new ArrayList<>();
        try (SendBatch batch = new SendBatch(BATCH); RecvBatch in = new RecvBatch(64, 2048)) {
            for (String s : sources) {
                sockets.add(Datagrams.open(UdpOptions.create().transport(Transport.NATIVE)
                        .bind(new InetSocketAddress(s, 0)).connect(hub).sendBuffer(1 << 20).receiveBuffer(1 << 20)));
            }
            startNanos = System.nanoTime();
            Pacer pacer = new Pacer(startNanos, rate);
            ready.countDown();
            long next = 0;
            long lastDrain = startNanos;
            int source = 0;
            while (!stop.get()) {
                long now = System.nanoTime();
                if (now - lastDrain > 100_000_000L) {
                    for (UdpSocket s : sockets) {
                        for (int n; (n = s.tryReceive(in)) > 0; ) {
                            replies += n;
                        }
                    }
                    lastDrain = now;
                }
                int n = pacer.take(now, BATCH);
                behind = pacer.behind;
                if (n == 0) {
                    LockSupport.parkNanos(PARK_NANOS);
                    continue;
                }
                batch.clear();
                for (int k = 0; k < n; k++, next++) {
                    int i = (int) (next % pool.size());
                    batch.add(pool.bytes(), pool.offset(i), pool.lengths()[i], null);
                }
                int took = sockets.get(source).trySend(batch);
                refused += batch.refused();
                sent += took - batch.refused();
                blocked += n - took;
                source = (source + 1) % sockets.size();
            }
        } finally {
            for (UdpSocket s : sockets) {
                s.close();
            }
        }
    }

    private void runSpray() throws Exception {
        try (WireGuardClient client = WireGuardClient.open(spray.privateKey(), spray.hubPublic(), hub, spray.overlay())) {
            client.handshake(Duration.ofSeconds(10));
            int payload = spray.innerBytes() - 28; // IPv4 + UDP headers
            startNanos = System.nanoTime();
            Pacer pacer = new Pacer(startNanos, rate);
            ready.countDown();
            long next = 0;
            List<byte[]> targets = spray.targets();
            while (!stop.get()) {
                int n = pacer.take(System.nanoTime(), BATCH);
                behind = pacer.behind;
                for (int k = 0; k < n; k++, next++) {
                    if (client.sendPrepared(targets.get((int) (next % targets.size())), 40000, 9, payload)) {
                        sent++;
                    } else {
                        blocked++;
                    }
                }
                replies += client.poll(null); // keepalives, rekeys and timers of its session
                if (n < BATCH) {
                    LockSupport.parkNanos(PARK_NANOS);
                }
            }
        }
    }
}
