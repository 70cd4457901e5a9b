package io.switchyard.router.hub;

import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.HandshakeOutcome;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The bounded handshake worker pool: platform threads (X25519 is pure CPU; a few hundred
 * microseconds per message) taking initiations and responses from a bounded queue.
 *
 * <pre>
 *  admit: mac1 ─▶ under load (queue at least 1/8 full, as wireguard-go): mac2 or a cookie
 *         reply ─▶ per-source rate limit (20/s, burst 5)
 *  initiation ─▶ Device.handleInitiation (consume, respond, derive) ─▶ HandshakeDone to the
 *                peer actor, which installs the keys, roams and then sends the response
 *  response   ─▶ Device.handleResponse ─▶ HandshakeDone (keys only)
 * </pre>
 * A full queue drops the message (counted); so does every refusal, each with its reason.
 */
final class HandshakeWorkers implements AutoCloseable {
    private final Device device;
    private final Transmitter listen;
    private final BooleanSupplier forceUnderLoad;
    private final ArrayBlockingQueue<Runnable> queue;
    private final ThreadPoolExecutor pool;
    private final int underLoadDepth;
    /** Written by several workers: guarded by itself. */
    final Counters counters = new Counters();

    /**
     * @param listen where cookie replies go out
     * @param forceUnderLoad a test seam: treat every handshake as arriving under load
     */
    HandshakeWorkers(Device device, Transmitter listen, BooleanSupplier forceUnderLoad, int threads, int queueSize) {
        this.device = device;
        this.listen = listen;
        this.forceUnderLoad = forceUnderLoad;
        this.queue = new ArrayBlockingQueue<>(queueSize);
        this.underLoadDepth = Math.max(1, queueSize / 8);
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, queue,
                r -> Thread.ofPlatform().daemon().name("hub-handshake-" + n.incrementAndGet()).unstarted(r),
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Queues a handshake message; false if the queue is full (the caller counts the drop). */
    boolean submit(byte[] msg, InetSocketAddress source) {
        try {
            pool.execute(() -> handle(msg, source));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    int depth() {
        return queue.size();
    }

    private void handle(byte[] msg, InetSocketAddress source) {
        try {
            boolean underLoad = queue.size() >= underLoadDepth || forceUnderLoad.getAsBoolean();
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
            if (peer != null && peer.ref.tell(new PeerMsg.HandshakeDone(done.keys(), source, done.response()))) {
                synchronized (counters) {
                    counters.inc(HubCounter.CONSUMED);
                }
            } else {
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
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
