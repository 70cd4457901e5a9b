package io.switchyard.cli.demo;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigException;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.Key32;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import io.switchyard.router.client.WireGuardClient;
import io.switchyard.wireguard.Keys;
import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code switchyard demo}: a hub and a handful of simulated WireGuard peers in one process on
 * loopback, no root and no config. Each peer is a {@link WireGuardClient} (client mode) that
 * handshakes with the hub and then sends inner UDP datagrams to the next peer in a ring, so every
 * packet crosses the hub: opened with the sender's session, routed by AllowedIPs, sealed with
 * the receiver's. Progress (counted at the receiving peers, and the hub's own counters) is
 * printed once a second; a summary at the end checks that what the hub received equals what it
 * forwarded, consumed and dropped.
 */
public final class Demo {
    /** What to run. {@code rate} is the total offered inner packets per second; 0 = as fast as possible. */
    public record Options(int peers, int payloadBytes, long rate, Duration duration, boolean progress) {
        public Options {
            if (peers < 2 || peers > 250) {
                throw new IllegalArgumentException("--peers must be 2..250, got " + peers);
            }
            if (payloadBytes < 16 || payloadBytes > WireGuardClient.MAX_INNER - 28) {
                throw new IllegalArgumentException("--size must be 16.." + (WireGuardClient.MAX_INNER - 28)
                        + " bytes of UDP payload, got " + payloadBytes);
            }
            if (rate < 0) {
                throw new IllegalArgumentException("--rate must be >= 0 (0 = as fast as possible), got " + rate);
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("--duration must be positive, got " + duration);
            }
        }
    }

    /** What happened, for the summary and for tests. */
    public record Summary(double seconds, long sent, long received, long receivedBytes, long sendBlocked,
            HubStats hub) {
        public long hubForwarded() {
            return hub.counters().getOrDefault("forwarded", 0L);
        }

        public long hubConsumed() {
            return hub.counters().getOrDefault("consumed", 0L);
        }

        /** Whether every datagram the hub received is accounted for: forwarded, consumed or dropped. */
        public boolean hubBalanced() {
            return hub.rxPackets() == hubForwarded() + hubConsumed() + hub.dropped();
        }
    }

    private Demo() {}

    /** Runs the demo until {@code options.duration()} passes or {@code stop} is set; prints to {@code out}. */
    public static Summary run(Options options, AtomicBoolean stop, PrintStream out) throws IOException, InterruptedException {
        Key32 hubKey = Key32.of(Keys.generatePrivateKey());
        List<Key32> peerKeys = new ArrayList<>();
        StringBuilder conf = new StringBuilder("[Interface]\nPrivateKey = ").append(hubKey.toBase64())
                .append("\nListenPort = 0\n");
        for (int i = 0; i < options.peers(); i++) {
            Key32 k = Key32.of(Keys.generatePrivateKey());
            peerKeys.add(k);
            conf.append("\n[Peer]\nPublicKey = ").append(Key32.of(Keys.publicKey(k.toBytes())).toBase64())
                    .append("\nAllowedIPs = ").append(overlay(i)).append("/32\n");
        }
        Config config;
        try {
            config = ConfigParser.parse("demo.conf", conf.toString(), Path.of(".")).config();
        } catch (ConfigException e) {
            throw new IllegalStateException("the demo's own config does not parse", e);
        }
        Key32 hubPublic = Key32.of(Keys.publicKey(hubKey.toBytes()));
        try (Hub hub = Hub.start(config)) {
            InetSocketAddress hubAddress = new InetSocketAddress("127.0.0.1", hub.localAddress().getPort());
            out.printf(Locale.ROOT, "switchyard demo: hub on %s, %d simulated peers (client mode) on loopback, "
                    + "%d-byte UDP payloads, %s, for %ds (Ctrl-C stops early)%n", hubAddress, options.peers(),
                    options.payloadBytes(), options.rate() == 0 ? "as fast as they can" : options.rate() + " packets/s offered",
                    options.duration().toSeconds());
            List<SimulatedPeer> peers = new ArrayList<>();
            try {
                for (int i = 0; i < options.peers(); i++) {
                    peers.add(new SimulatedPeer(i, WireGuardClient.open(peerKeys.get(i), hubPublic, hubAddress,
                            address(i)), address((i + 1) % options.peers()), options));
                }
                for (SimulatedPeer p : peers) {
                    p.client.handshake(Duration.ofSeconds(15));
                }
                out.printf(Locale.ROOT, "handshakes done: %d peers up (hub counted %d)%n", peers.size(),
                        hub.stats().handshakesCompleted());
                return drive(options, stop, out, hub, peers);
            } finally {
                for (SimulatedPeer p : peers) {
                    p.client.close();
                }
            }
        }
    }

    private static Summary drive(Options options, AtomicBoolean stop, PrintStream out, Hub hub, List<SimulatedPeer> peers)
            throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (SimulatedPeer p : peers) {
            // Platform threads: the simulated peers stand for other programs, and a virtual thread
            // that sends flat out is never preempted, so it would starve the hub's peer actors
            // (virtual threads on the same carriers) of CPU.
            threads.add(Thread.ofPlatform().daemon().name("demo-peer-" + p.index).start(() -> p.loop(done)));
        }
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        long lastReceived = 0;
        long lastBytes = 0;
        long lastForwarded = hub.stats().counters().getOrDefault("forwarded", 0L);
        String aead = "";
        Map<DropReason, Long> lastDrops = new EnumMap<>(hub.stats().drops());
        long tick = start;
        int second = 0;
        while (!stop.get() && System.nanoTime() - end < 0) {
            tick += 1_000_000_000L;
            long sleep;
            while ((sleep = Math.min(tick, end) - System.nanoTime()) > 0 && !stop.get()) {
                Thread.sleep(Math.min(sleep / 1_000_000L + 1, 100));
            }
            second++;
            long received = 0;
            long bytes = 0;
            for (SimulatedPeer p : peers) {
                received += p.received;
                bytes += p.receivedBytes;
            }
            HubStats s = hub.stats();
            long forwarded = s.counters().getOrDefault("forwarded", 0L);
            if (options.progress()) {
                StringBuilder drops = new StringBuilder();
                long dropTotal = 0;
                for (var e : s.drops().entrySet()) {
                    long d = e.getValue() - lastDrops.getOrDefault(e.getKey(), 0L);
                    if (d > 0) {
                        drops.append(drops.isEmpty() ? " (" : ", ").append(e.getKey().name().toLowerCase(Locale.ROOT))
                                .append(' ').append(d);
                        dropTotal += d;
                    }
                }
                if (!drops.isEmpty()) {
                    drops.append(')');
                }
                out.printf(Locale.ROOT, "%3ds  hub forwarded %,9d pps  peers received %,9d pps  %6.3f Gbit/s inner"
                                + "  handshakes %d  drops/s %d%s%n", second, forwarded - lastForwarded,
                        received - lastReceived, (bytes - lastBytes) * 8 / 1e9, s.handshakesCompleted(), dropTotal, drops);
                String now = HybridChaCha20Poly1305.longMessageEngine();
                if (!now.equals(aead)) {
                    out.println("      ChaCha20-Poly1305 above " + HybridChaCha20Poly1305.IN_PLACE_MAX + " B: " + now);
                    aead = now;
                }
            }
            lastReceived = received;
            lastBytes = bytes;
            lastForwarded = forwarded;
            lastDrops = new EnumMap<>(s.drops());
        }
        done.set(true);
        for (Thread t : threads) {
            t.join();
        }
        // Let the packets in flight land before the final count: on a loaded machine the hub can
        // still hold thousands of received datagrams in its mailboxes when the peers stop, so wait
        // until its books balance and the peers' count stops moving (at least 200 ms, at most 5 s).
        long settleStart = System.nanoTime();
        long lastSeen = -1;
        long quietSince = settleStart;
        while (true) {
            long seen = 0;
            for (SimulatedPeer p : peers) {
                p.drain();
                seen += p.received;
            }
            long now = System.nanoTime();
            if (seen != lastSeen) {
                lastSeen = seen;
                quietSince = now;
            }
            HubStats h = hub.stats();
            boolean balanced = h.rxPackets() == h.counters().getOrDefault("forwarded", 0L)
                    + h.counters().getOrDefault("consumed", 0L) + h.dropped();
            if (now - settleStart > 5_000_000_000L
                    || (balanced && now - quietSince > 200_000_000L && now - settleStart > 200_000_000L)) {
                break;
            }
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long sent = 0;
        long received = 0;
        long bytes = 0;
        long blocked = 0;
        for (SimulatedPeer p : peers) {
            WireGuardClient.Stats st = p.client.stats();
            sent += st.sentPackets();
            received += p.received;
            bytes += p.receivedBytes;
            blocked += st.sendBlocked();
        }
        Summary summary = new Summary(seconds, sent, received, bytes, blocked, hub.stats());
        print(summary, out);
        return summary;
    }

    static void print(Summary s, PrintStream out) {
        HubStats h = s.hub();
        out.printf(Locale.ROOT, "%nsummary after %.1f s%n", s.seconds());
        out.printf(Locale.ROOT, "  peers sent      %,d inner packets (%,d times the socket buffer was full and a peer waited)%n",
                s.sent(), s.sendBlocked());
        out.printf(Locale.ROOT, "  peers received  %,d inner packets, %,.0f pps, %.3f Gbit/s of inner bytes%n",
                s.received(), s.received() / s.seconds(), s.receivedBytes() * 8 / 1e9 / s.seconds());
        out.printf(Locale.ROOT, "  hub             received %,d datagrams: forwarded %,d + consumed %,d (handshakes, keepalives)"
                + " + dropped %,d  [%s]%n", h.rxPackets(), s.hubForwarded(), s.hubConsumed(), h.dropped(),
                s.hubBalanced() ? "balanced" : "NOT BALANCED");
        h.drops().entrySet().stream().filter(e -> e.getValue() > 0).forEach(e ->
                out.printf(Locale.ROOT, "    dropped %-22s %,d  (%s)%n", e.getKey().name().toLowerCase(Locale.ROOT),
                        e.getValue(), e.getKey().label()));
        long lost = s.sent() - s.received() - h.dropped();
        out.printf(Locale.ROOT, "  in flight or lost in the kernel (sent - received - hub drops): %,d%n", Math.max(lost, 0));
        out.printf(Locale.ROOT, "  handshakes completed %d, cookie replies %d%n", h.handshakesCompleted(), h.cookieRepliesSent());
    }

    static String overlay(int i) {
        return "10.99." + (i / 250) + "." + (i % 250 + 1);
    }

    static byte[] address(int i) {
        return new byte[] {10, 99, (byte) (i / 250), (byte) (i % 250 + 1)};
    }

    private static final long RAMP_NANOS = 6_000_000_000L;

    /** One simulated peer: sends its share of the rate to the next peer and counts what arrives. */
    private static final class SimulatedPeer {
        final int index;
        final WireGuardClient client;
        final byte[] next;
        final Options options;
        final long intervalNanos; // between packets at this peer's share of the rate; 0 = flat out
        volatile long received;
        volatile long receivedBytes;
        private long seq;

        SimulatedPeer(int index, WireGuardClient client, byte[] next, Options options) {
            this.index = index;
            this.client = client;
            this.next = next;
            this.options = options;
            this.intervalNanos = options.rate() == 0 ? 0 : Math.max(1, 1_000_000_000L * options.peers() / options.rate());
        }

        void loop(AtomicBoolean done) {
            try {
                long start = System.nanoTime();
                long due = start;
                while (!done.get()) {
                    int burst = 0;
                    long now = System.nanoTime();
                    while (burst < 64 && (intervalNanos == 0 || now - due >= 0)) {
                        client.sendBuffer().putLong(WireGuardClient.PAYLOAD_OFFSET, seq);
                        client.sendBuffer().putLong(WireGuardClient.PAYLOAD_OFFSET + 8, now);
                        if (!client.sendPrepared(next, 40000 + index, 40000, options.payloadBytes())) {
                            break; // socket buffer full or no session: poll, then try again
                        }
                        seq++;
                        burst++;
                        // ramp up over the first 6 s: the hub's code is still being compiled (JIT); at 3 s the
                        // mailboxes of single-packet batches overflowed while C2 was still compiling
                        long elapsed = Math.max(now - start, 300_000_000L);
                        due += elapsed >= RAMP_NANOS ? intervalNanos : intervalNanos * RAMP_NANOS / elapsed;
                    }
                    drain();
                    if (intervalNanos != 0 && due - System.nanoTime() > 0) {
                        LockSupport.parkNanos(Math.min(due - System.nanoTime(), 1_000_000L));
                    } else if (burst == 0) {
                        Thread.yield();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("simulated peer " + index + " failed", e);
            }
        }

        void drain() {
            try {
                client.poll((buf, off, len, src, dst) -> {
                    received++;
                    receivedBytes += 28 + len;
                });
            } catch (IOException e) {
                throw new IllegalStateException("simulated peer " + index + " failed", e);
            }
        }
    }
}
