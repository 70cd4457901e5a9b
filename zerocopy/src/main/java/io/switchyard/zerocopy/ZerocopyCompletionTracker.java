package io.switchyard.zerocopy;

import io.switchyard.counters.CounterSet;
import io.switchyard.io.SendRefusal;
import java.util.function.LongSupplier;

/**
 * Sends batches on one socket, using MSG_ZEROCOPY when it pays, and holds each zerocopy send's
 * buffers until the kernel says it is done reading them. One per socket, owned and called by
 * one actor (not thread-safe).
 *
 * <p><b>Send ids.</b> The kernel numbers the socket's successful MSG_ZEROCOPY sends 0, 1, 2, ...
 * as an unsigned 32-bit counter that wraps. The tracker mirrors it: {@code nextId} is the id the
 * next zerocopy send will get, {@code baseId} the oldest id not yet completed. The outstanding
 * window {@code [baseId, nextId)} lives in a ring of {@code maxOutstandingSends} entries indexed
 * by {@code id & mask}; each entry is the head of the send's buffer chain (linked through the
 * buffers themselves, so a GSO train of 64 segments costs one ring slot and no allocation), and
 * {@code null} once completed. All id arithmetic is {@code int} subtraction, which is exact
 * modulo 2^32, so wraparound needs no special case.
 *
 * <p><b>Completions.</b> An error-queue entry {@code [info, data]} releases every send in the
 * range that is in the window and not yet completed; the kernel merges ranges and completes
 * out of order, so the range may cover several sends and leave holes behind it. Then
 * {@code baseId} advances over completed entries. Ids outside the window or already completed
 * are counted and ignored, never trusted. Completions are read when the poller reports EPOLLERR
 * ({@link #onErrorQueueReadable()}) and opportunistically before every
 * {@code drainInterval}-th zerocopy send, and whenever the window is full or ENOBUFS says the
 * kernel's notification memory is.
 *
 * <p><b>When to use zerocopy.</b> Only for sends of at least {@code sizeThreshold} bytes, only
 * if SO_ZEROCOPY was accepted, and only while it pays: completions flagged COPIED mean the
 * kernel copied anyway (always so on loopback and veth to a local receiver), which costs more
 * than a plain send. After each {@code sampleSends} completed sends of a probe, if more than
 * {@code maxCopiedRatio} were copied, the socket sends by copying for a back-off period
 * (doubling, capped, on an injected clock) and then probes again. A probe that pays resets the
 * back-off. The ratio is per send id, with one caveat inherited from the kernel: it merges a
 * completion into the queued one before it whatever their codes, so a merged range counts with
 * the code of its first part. A connected socket's path is homogeneous (loopback always copies,
 * a NIC with scatter-gather and checksum offload never does), so this rarely matters. Measured
 * here: a single datagram above the MTU is always COPIED (it is fragmented with a software
 * checksum); GSO trains of MTU-size segments through a veth complete without a copy.
 *
 * <p><b>Fallbacks.</b> ENOBUFS on a zerocopy send resends the same batch by copying; a full
 * window copies; nothing is lost to either.
 *
 * <p><b>Close.</b> {@link #close()} refuses further sends and reads completions; buffers of sends
 * still outstanding stay held, because the kernel may still read them. They are released as
 * completions arrive, or, once the owner has closed the socket ({@link #socketClosed()}) and no
 * notification can come any more, after {@code closeGrace} (checked by {@link #tick()}), the time
 * in-flight packets may still sit in a queue pinning the pages.
 */
public final class ZerocopyCompletionTracker {
    private final ZerocopyChannel channel;
    private final ZerocopyConfig config;
    private final CounterSet<ZerocopyCounter> counters;
    private final LongSupplier nanoClock;
    private final int mask;
    private final boolean available;
    private final Sink sink = new Sink();

    /** Heads of the outstanding sends' buffer chains; allocated on the first zerocopy send. */
    private PacketBuffer[] ring;
    private int baseId;
    private int nextId;
    /** Sends in the window not yet completed (the window may also hold completed holes). */
    private int held;
    private int sendsSinceDrain;

    private boolean backedOff;
    private long backoffUntil;
    private long backoffNanos;
    /** Only completions of ids from here on count toward the current probe's verdict. */
    private int probeStartId;
    private int sampled;
    private int sampledCopied;

    private boolean closed;
    private boolean socketGone;
    private long socketGoneAt;

    /**
     * Creates the tracker and enables SO_ZEROCOPY on the channel.
     *
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} in production)
     */
    public ZerocopyCompletionTracker(ZerocopyChannel channel, ZerocopyConfig config, CounterSet<ZerocopyCounter> counters,
                                     LongSupplier nanoClock) {
        this(channel, config, counters, nanoClock, 0);
    }

    /** As the public constructor, with the kernel's counter at {@code firstSendId} (tests of wraparound). */
    ZerocopyCompletionTracker(ZerocopyChannel channel, ZerocopyConfig config, CounterSet<ZerocopyCounter> counters,
                              LongSupplier nanoClock, int firstSendId) {
        this.channel = channel;
        this.config = config;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.mask = config.maxOutstandingSends() - 1;
        this.baseId = firstSendId;
        this.nextId = firstSendId;
        this.probeStartId = firstSendId;
        this.backoffNanos = config.initialBackoff().toNanos();
        this.available = channel.enableZerocopy();
        if (!available) {
            counters.increment(ZerocopyCounter.UNAVAILABLE);
        }
    }

    /**
     * Sends the batch as one message, taking ownership of its buffers unless the outcome is
     * {@link SendOutcome#WOULD_BLOCK}. On every other outcome the batch is left empty. A copying
     * send that the kernel took only in part is {@link SendOutcome#SENT_COPY}, its unsent
     * datagrams counted as {@link ZerocopyCounter#UNSENT_DATAGRAMS}.
     */
    public SendOutcome send(PacketBatch batch) {
        if (batch.isEmpty()) {
            return SendOutcome.SENT_COPY;
        }
        if (closed) {
            counters.increment(ZerocopyCounter.SEND_AFTER_CLOSE);
            batch.releaseAll();
            return SendOutcome.DROPPED;
        }
        if (wantsZerocopy(batch)) {
            if (held > 0 && ++sendsSinceDrain >= config.drainInterval()) {
                drain();
            }
            if (windowFull()) {
                drain();
            }
            if (windowFull()) {
                counters.increment(ZerocopyCounter.WINDOW_FULL_FALLBACK);
            } else {
                switch (channel.send(batch, true)) {
                    case SENT -> {
                        hold(batch);
                        counters.increment(ZerocopyCounter.ZEROCOPY_SENDS);
                        return SendOutcome.SENT_ZEROCOPY;
                    }
                    case SENT_BY_COPY -> {
                        counters.increment(ZerocopyCounter.COPY_SENDS);
                        batch.releaseAll();
                        return SendOutcome.SENT_COPY;
                    }
                    case SENT_IN_PART -> {
                        return sentInPart(batch);
                    }
                    case WOULD_BLOCK -> {
                        return SendOutcome.WOULD_BLOCK;
                    }
                    case NO_BUFFERS -> {
                        // optmem is full of pending notifications: reading them frees it.
                        counters.increment(ZerocopyCounter.ENOBUFS_FALLBACK);
                        drain();
                    }
                    case FAILED -> {
                        return drop(batch);
                    }
                }
            }
        }
        return switch (channel.send(batch, false)) {
            case SENT, SENT_BY_COPY -> {
                counters.increment(ZerocopyCounter.COPY_SENDS);
                batch.releaseAll();
                yield SendOutcome.SENT_COPY;
            }
            case SENT_IN_PART -> sentInPart(batch);
            case WOULD_BLOCK -> SendOutcome.WOULD_BLOCK;
            case NO_BUFFERS, FAILED -> drop(batch);
        };
    }

    /**
     * After a {@link #send} that returned {@link SendOutcome#SENT_COPY}: why the kernel refused
     * buffer {@code i} of that batch (too big, unreachable, denied), or null if it went out.
     */
    public SendRefusal refusal(int i) {
        return channel.refusal(i);
    }

    /** Reads completions; call when the poller reports EPOLLERR on the socket. */
    public void onErrorQueueReadable() {
        if (!socketGone) {
            drain();
        }
    }

    /**
     * Refuses further sends and reads the completions that are there. Buffers of sends the
     * kernel has not completed stay held. Idempotent.
     *
     * @return the number of sends still outstanding; close the socket when it is 0, or when
     *         giving up on waiting, followed by {@link #socketClosed()}
     */
    public int close() {
        closed = true;
        if (!socketGone && held > 0) {
            drain();
        }
        return held;
    }

    /**
     * The owner has closed the socket: no completion can arrive any more. Outstanding buffers
     * are released {@code closeGrace} from now by {@link #tick()} (at once if the grace is 0).
     */
    public void socketClosed() {
        closed = true;
        if (!socketGone) {
            socketGone = true;
            socketGoneAt = nanoClock.getAsLong();
        }
        tick();
    }

    /** Releases the buffers of a closed socket once its grace has passed; call from a timer. */
    public void tick() {
        if (socketGone && held > 0 && nanoClock.getAsLong() - socketGoneAt >= config.closeGrace().toNanos()) {
            counters.add(ZerocopyCounter.RELEASED_AFTER_CLOSE, held);
            for (int id = baseId; id != nextId; id++) {
                PacketBuffer head = ring[id & mask];
                if (head != null) {
                    ring[id & mask] = null;
                    releaseChain(head);
                }
            }
            baseId = nextId;
            held = 0;
        }
    }

    /** Zerocopy sends whose buffers the kernel may still read. */
    public int outstandingSends() {
        return held;
    }

    /** The id the kernel will give the next zerocopy send. */
    public int nextSendId() {
        return nextId;
    }

    /** Whether SO_ZEROCOPY was accepted on this socket. */
    public boolean zerocopyAvailable() {
        return available;
    }

    /** Whether zerocopy is currently in use (available and not backed off). */
    public boolean zerocopyActive() {
        return available && !backedOff;
    }

    private boolean wantsZerocopy(PacketBatch batch) {
        if (!available || batch.byteCount() < config.sizeThreshold()) {
            return false;
        }
        if (backedOff) {
            if (nanoClock.getAsLong() - backoffUntil < 0) {
                return false;
            }
            backedOff = false;
            startProbe();
            counters.increment(ZerocopyCounter.REPROBES);
        }
        return true;
    }

    private boolean windowFull() {
        return nextId - baseId == config.maxOutstandingSends();
    }

    private void hold(PacketBatch batch) {
        if (ring == null) {
            ring = new PacketBuffer[config.maxOutstandingSends()];
        }
        PacketBuffer head = null;
        for (int i = batch.size() - 1; i >= 0; i--) {
            PacketBuffer b = batch.get(i);
            b.chainNext = head;
            head = b;
        }
        batch.clear();
        ring[nextId & mask] = head;
        nextId++;
        held++;
    }

    /** A copying send the kernel took in part: what went out is sent, the rest is counted. */
    private SendOutcome sentInPart(PacketBatch batch) {
        counters.increment(ZerocopyCounter.COPY_SENDS);
        counters.add(ZerocopyCounter.UNSENT_DATAGRAMS, channel.unsentDatagrams());
        batch.releaseAll();
        return SendOutcome.SENT_COPY;
    }

    private SendOutcome drop(PacketBatch batch) {
        counters.increment(ZerocopyCounter.SEND_FAILED);
        batch.releaseAll();
        return SendOutcome.DROPPED;
    }

    private void drain() {
        sendsSinceDrain = 0;
        channel.drainErrorQueue(sink);
    }

    private void complete(int code, int info, int data) {
        counters.increment(ZerocopyCounter.COMPLETIONS);
        int window = nextId - baseId;
        // Signed distances from baseId: negative is before the window (stale).
        long first = info - baseId;
        long last = first + Integer.toUnsignedLong(data - info);
        long span = last - first + 1;
        long from = Math.max(first, 0);
        long to = Math.min(last, window - 1L);
        long inWindow = Math.max(0, to - from + 1);
        if (span > inWindow) {
            counters.add(ZerocopyCounter.UNKNOWN_COMPLETION_IDS, span - inWindow);
        }
        boolean copied = (code & CompletionSink.CODE_ZEROCOPY_COPIED) != 0;
        int completed = 0;
        int sampledNow = 0;
        for (long offset = from; offset <= to; offset++) {
            int id = baseId + (int) offset;
            PacketBuffer head = ring[id & mask];
            if (head == null) {
                counters.increment(ZerocopyCounter.DUPLICATE_COMPLETION_IDS);
                continue;
            }
            ring[id & mask] = null;
            releaseChain(head);
            completed++;
            if (id - probeStartId >= 0) {
                sampledNow++;
            }
        }
        held -= completed;
        counters.add(copied ? ZerocopyCounter.COMPLETED_COPIED : ZerocopyCounter.COMPLETED_ZEROCOPY, completed);
        while (baseId != nextId && ring[baseId & mask] == null) {
            baseId++;
        }
        if (!backedOff && sampledNow > 0) {
            sampled += sampledNow;
            if (copied) {
                sampledCopied += sampledNow;
            }
            if (sampled >= config.sampleSends()) {
                verdict();
            }
        }
    }

    private void verdict() {
        if (sampledCopied > config.maxCopiedRatio() * sampled) {
            backedOff = true;
            backoffUntil = nanoClock.getAsLong() + backoffNanos;
            backoffNanos = Math.min(backoffNanos * 2, config.maxBackoff().toNanos());
            counters.increment(ZerocopyCounter.BACKOFFS);
        } else {
            backoffNanos = config.initialBackoff().toNanos();
        }
        startProbe();
    }

    private void startProbe() {
        probeStartId = nextId;
        sampled = 0;
        sampledCopied = 0;
    }

    private static void releaseChain(PacketBuffer head) {
        while (head != null) {
            PacketBuffer next = head.chainNext;
            head.chainNext = null;
            head.release();
            head = next;
        }
    }

    /** Receives the channel's error-queue entries; private so only the channel feeds it. */
    private final class Sink implements CompletionSink {
        @Override
        public void onErrorQueueEntry(int origin, int errno, int code, int info, int data) {
            if (origin != ORIGIN_ZEROCOPY) {
                counters.increment(ZerocopyCounter.OTHER_ERROR_QUEUE_ENTRIES);
            } else if (errno != 0 || data - info < 0) {
                // A reversed range means more than 2^31 sends: not a real completion.
                counters.increment(ZerocopyCounter.INVALID_COMPLETIONS);
            } else {
                complete(code, info, data);
            }
        }
    }
}
