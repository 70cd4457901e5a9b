package io.switchyard.router.hub;

import io.switchyard.actors.NanoClock;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.HandshakeOutcome;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The bounded handshake worker pool: platform threads (X25519 is pure CPU; a few hundred
 * microseconds per message) taking initiations, responses and cookie replies from one bounded
 * queue, so that no handshake crypto runs on a receive thread.
 *
 * <pre>
 *  admit: mac1 ─▶ under load (queue at least 1/8 full, and for a second after: wireguard-go's
 *         hysteresis, so a flood cannot make the gate flap) mac2 or a cookie reply ─▶
 *         per-source rate limit (20/s, burst 5)
 *  initiation  ─▶ Device.handleInitiation (consume, respond, derive) ─▶ HandshakeDone to the
 *                 peer actor, which installs the keys, roams and then sends the response
 *  response    ─▶ Device.handleResponse ─▶ HandshakeDone (keys only)
 *  cookie reply ─▶ Device.handleCookieReply (one XChaCha20 open)
 * </pre>
 * A full queue refuses the message with a boolean, never an exception: under a flood the
 * receive thread pays an offer per message and nothing more. Every refusal is counted with its
 * reason.
 */
final class HandshakeWorkers implements AutoCloseable {
    /** How long the hub stays under load after its queue was last deep (wireguard-go's UnderLoadAfterTime). */
    static final long UNDER_LOAD_NANOS = 1_000_000_000L;

    private record Job(byte[] msg, InetSocketAddress source, int type) {}

    private final Device device;
    private final Transmitter listen;
    private final BooleanSupplier forceUnderLoad;
    private final NanoClock clock;
    private final ArrayBlockingQueue<Job> queue;
    private final Thread[] threads;
    private final int underLoadDepth;
    private volatile long underLoadUntil;
    private volatile boolean closed;
    /** Written by several workers: guarded by itself. */
    final Counters counters = new Counters();

    /**
     * @param listen where cookie replies go out
     * @param forceUnderLoad a test seam: treat every handshake as arriving under load
     */
    HandshakeWorkers(Device device, Transmitter listen, BooleanSupplier forceUnderLoad, NanoClock clock, int threads,
                     int queueSize) {
        this.device = device;
        this.listen = listen;
        this.forceUnderLoad = forceUnderLoad;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.underLoadDepth = Math.max(1, queueSize / 8);
        this.underLoadUntil = clock.nanoTime() - 1;
        this.threads = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            this.threads[i] = Thread.ofPlatform().daemon().name("hub-handshake-" + (i + 1)).start(this::work);
        }
    }

    /**
     * Queues a handshake message or cookie reply (classified by type and exact size); false if
     * the queue is full (the caller counts the drop).
     */
    boolean submit(byte[] msg, InetSocketAddress source, int type) {
        return !closed && queue.offer(new Job(msg, source, type));
    }

    int depth() {
        return queue.size();
    }

    /** Test seam: forgets what is queued (with no worker threads, nothing else would). */
    void clearForTests() {
        queue.clear();
    }

    /** Under load: the queue is deep now, or was less than a second ago. */
    boolean underLoad() {
        long now = clock.nanoTime();
        if (queue.size() >= underLoadDepth) {
            underLoadUntil = now + UNDER_LOAD_NANOS;
            return true;
        }
        return now - underLoadUntil < 0 || forceUnderLoad.getAsBoolean();
    }

    private void work() {
        while (true) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (job.type() == WireGuard.MESSAGE_COOKIE_REPLY_TYPE) {
                cookieReply(job.msg());
            } else {
                handle(job.msg(), job.source());
            }
        }
    }

    private void cookieReply(byte[] msg) {
        try {
            if (device.handleCookieReply(msg) != null) {
                synchronized (counters) {
                    counters.inc(HubCounter.CONSUMED);
                }
            } else {
                count(DropReason.BAD_COOKIE_REPLY);
            }
        } catch (RuntimeException e) {
            count(DropReason.BAD_COOKIE_REPLY);
            System.getLogger("io.switchyard.router").log(System.Logger.Level.WARNING, "cookie reply failed", e);
        }
    }

    private void handle(byte[] msg, InetSocketAddress source) {
        try {
            boolean underLoad = underLoad();
            HandshakeGate.Verdict verdict = device.admit(msg, source, underLoad);
            if (verdict != HandshakeGate.Verdict.ACCEPT && HandshakeEvent.enabled()) {
                // Refused before any Diffie-Hellman: the peer is not known yet (mac1 names no one).
                boolean initiation = Messages.readInt(msg, 0) == WireGuard.MESSAGE_INITIATION_TYPE;
                HandshakeEvent.commit(null, initiation ? "initiation" : "response", "received", String.valueOf(source),
                        verdict == HandshakeGate.Verdict.SEND_COOKIE ? "cookie-sent" : "refused", verdict.name());
            }
            switch (verdict) {
                case BAD_MAC1 -> count(DropReason.BAD_MAC);
                case RATE_LIMITED -> count(DropReason.RATE_LIMITED);
                case SEND_COOKIE -> {
                    boolean sent = listen.sendBytes(device.cookieReply(msg, source), source);
                    synchronized (counters) {
                        counters.drop(DropReason.COOKIE_REQUIRED);
                        if (sent) {
                            counters.inc(HubCounter.COOKIE_REPLIES);
                        }
                    }
                }
                case ACCEPT -> {
                    boolean initiation = Messages.readInt(msg, 0) == WireGuard.MESSAGE_INITIATION_TYPE;
                    HandshakeOutcome outcome = initiation ? device.handleInitiation(msg) : device.handleResponse(msg);
                    if (HandshakeEvent.enabled()) {
                        HandshakeEvent.commit(outcome.peer() == null ? null : outcome.peer().publicKey().toBase64(),
                                initiation ? "initiation" : "response", "received", String.valueOf(source),
                                outcome instanceof HandshakeOutcome.Completed ? "completed" : "refused",
                                outcome instanceof HandshakeOutcome.Refused r ? String.valueOf(r.reason()) : null);
                    }
                    deliver(outcome, source);
                }
            }
        } catch (RuntimeException e) {
            // A bug, not bad input (refusals are outcomes): count it rather than kill the worker.
            count(DropReason.HANDSHAKE_FAILED);
            System.getLogger("io.switchyard.router").log(System.Logger.Level.WARNING, "handshake worker failed", e);
        }
    }

    private void deliver(HandshakeOutcome outcome, InetSocketAddress source) {
        if (outcome instanceof HandshakeOutcome.Completed done) {
            PeerHandle peer = (PeerHandle) done.peer().attachment();
            // Peer mailboxes are unbounded in messages: this fails only for a peer being removed.
            if (peer != null && peer.ref.tell(new PeerMsg.HandshakeDone(done.keys(), source, done.response()))) {
                synchronized (counters) {
                    counters.inc(HubCounter.CONSUMED);
                }
            } else {
                done.peer().abandonSession(done.keys()); // its index must not stay registered
                count(DropReason.PEER_QUEUE_FULL);
            }
        } else {
            count(DropReason.HANDSHAKE_FAILED);
        }
    }

    private void count(DropReason reason) {
        synchronized (counters) {
            counters.drop(reason);
        }
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
