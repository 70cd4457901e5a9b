package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A socket as the kernel would run it, for driving {@link ZerocopyCompletionTracker} through its
 * seam: numbers successful MSG_ZEROCOPY sends with a wrapping 32-bit counter (failed sends
 * consume no id), keeps "reading" each zerocopy send's buffers until the test completes it, and
 * queues completions on an error queue, merging a completion into the queue's tail entry when
 * the ids are consecutive, as {@code __msg_zerocopy_callback}/{@code skb_zerocopy_notify_extend}
 * do. Like the kernel, the merge ignores the code: the merged entry keeps the tail's.
 * Statuses can be injected per send kind (ENOBUFS, EAGAIN, failure).
 */
final class SimulatedZerocopyKernel implements ZerocopyChannel {
    record Sent(boolean zerocopy, int id, List<PacketBuffer> buffers, long bytes) {}

    private record Pending(int id, PacketBuffer[] buffers, int[] generations) {}

    private static final class Entry {
        final int origin;
        final int errno;
        final int code;
        final int info;
        int data;

        Entry(int origin, int errno, int code, int info, int data) {
            this.origin = origin;
            this.errno = errno;
            this.code = code;
            this.info = info;
            this.data = data;
        }
    }

    boolean supportsZerocopy = true;
    private boolean enabled;
    private int nextId;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();
    private final Deque<Entry> errorQueue = new ArrayDeque<>();
    final Deque<SendStatus> zerocopyStatuses = new ArrayDeque<>();
    final Deque<SendStatus> copyStatuses = new ArrayDeque<>();
    final List<Sent> sent = new ArrayList<>();
    int drains;
    /** What {@link #unsentDatagrams()} reports after an injected {@link SendStatus#SENT_IN_PART}. */
    int unsentOnPartial = 1;
    private int lastUnsent;

    SimulatedZerocopyKernel(int firstId) {
        this.nextId = firstId;
    }

    @Override
    public boolean enableZerocopy() {
        enabled = supportsZerocopy;
        return enabled;
    }

    @Override
    public SendStatus send(PacketBatch batch, boolean zerocopy) {
        assertTrue(!zerocopy || enabled, "MSG_ZEROCOPY without SO_ZEROCOPY");
        var buffers = new PacketBuffer[batch.size()];
        var generations = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            buffers[i] = batch.get(i);
            generations[i] = buffers[i].generation;
            assertTrue(buffers[i].isHeld(), "sending a released buffer");
        }
        SendStatus injected = (zerocopy ? zerocopyStatuses : copyStatuses).poll();
        lastUnsent = 0;
        if (injected == SendStatus.SENT_IN_PART) {
            // A copying send (zerocopy asked, but sent by copy) that the kernel took in part.
            lastUnsent = unsentOnPartial;
            sent.add(new Sent(false, -1, List.of(buffers), batch.byteCount()));
            return injected;
        }
        if (injected != null && injected != SendStatus.SENT) {
            return injected; // a failed sendmsg consumes no id
        }
        int id = -1;
        if (zerocopy) {
            id = nextId++;
            pending.put(id, new Pending(id, buffers, generations));
        }
        sent.add(new Sent(zerocopy, id, List.of(buffers), batch.byteCount()));
        return SendStatus.SENT;
    }

    @Override
    public int unsentDatagrams() {
        return lastUnsent;
    }

    @Override
    public int drainErrorQueue(CompletionSink sink) {
        drains++;
        int n = 0;
        for (Entry e; (e = errorQueue.poll()) != null; n++) {
            sink.onErrorQueueEntry(e.origin, e.errno, e.code, e.info, e.data);
        }
        return n;
    }

    /** The kernel is done with these sends (in this order): queue their completions. */
    void complete(boolean copied, int... ids) {
        for (int id : ids) {
            Pending p = pending.remove(id);
            assertTrue(p != null, "completing id " + Integer.toUnsignedString(id) + " which is not pending");
            int code = copied ? CompletionSink.CODE_ZEROCOPY_COPIED : 0;
            Entry tail = errorQueue.peekLast();
            if (tail != null && tail.origin == CompletionSink.ORIGIN_ZEROCOPY && tail.data + 1 == id) {
                tail.data = id;
            } else {
                errorQueue.add(new Entry(CompletionSink.ORIGIN_ZEROCOPY, 0, code, id, id));
            }
        }
    }

    /** Completes every pending send in send order. */
    void completeAll(boolean copied) {
        complete(copied, pendingIds());
    }

    int[] pendingIds() {
        return pending.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Queues an arbitrary error-queue entry (malformed, stale, ICMP, ...). */
    void queueRaw(int origin, int errno, int code, int info, int data) {
        errorQueue.add(new Entry(origin, errno, code, info, data));
    }

    int errorQueueLength() {
        return errorQueue.size();
    }

    int pendingSends() {
        return pending.size();
    }

    int nextId() {
        return nextId;
    }

    /** The safety property: no buffer the kernel may still read was released (or reused). */
    void assertPendingBuffersUntouched() {
        for (Pending p : pending.values()) {
            for (int i = 0; i < p.buffers.length; i++) {
                assertTrue(p.buffers[i].isHeld(), "buffer of pending send " + p.id + " was released");
                assertEquals(p.generations[i], p.buffers[i].generation,
                        "buffer of pending send " + p.id + " was released and reused");
            }
        }
    }
}
