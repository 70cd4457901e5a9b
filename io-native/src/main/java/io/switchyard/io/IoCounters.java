package io.switchyard.io;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one socket. Updated once per batch call (not per datagram), from the receiving
 * and the sending thread concurrently, so the cells are atomic.
 */
public final class IoCounters {
    private static final IoCounter[] ALL = IoCounter.values();
    private final AtomicLongArray cells = new AtomicLongArray(ALL.length);

    /** The current value of one counter. */
    public long get(IoCounter counter) {
        return cells.get(counter.ordinal());
    }

    void add(IoCounter counter, long delta) {
        if (delta != 0) {
            cells.getAndAdd(counter.ordinal(), delta);
        }
    }

    void max(IoCounter counter, long value) {
        // A CAS loop, not accumulateAndGet(Math::max): that path allocated ~40 bytes per call on JDK 25.
        int i = counter.ordinal();
        long v;
        do {
            v = cells.get(i);
        } while (value > v && !cells.compareAndSet(i, v, value));
    }

    /** Counts one send call that sent {@code datagrams} in one message: a GSO train when more than one. */
    void sentInOneMessage(int datagrams) {
        add(IoCounter.SEND_CALLS, 1);
        if (datagrams > 1) {
            add(IoCounter.GSO_TRAINS, 1);
            add(IoCounter.GSO_SEGMENTS, datagrams);
        }
        add(IoCounter.DATAGRAMS_SENT, datagrams);
    }

    /** Datagrams per successful receive call (the batch occupancy), 0 if none yet. */
    public double averageReceiveBatch() {
        long calls = get(IoCounter.RECEIVE_CALLS);
        return calls == 0 ? 0 : (double) get(IoCounter.DATAGRAMS_RECEIVED) / calls;
    }

    /** Datagrams per successful send call, 0 if none yet. */
    public double averageSendBatch() {
        long calls = get(IoCounter.SEND_CALLS);
        return calls == 0 ? 0 : (double) get(IoCounter.DATAGRAMS_SENT) / calls;
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("{");
        for (IoCounter c : ALL) {
            long v = get(c);
            if (v != 0) {
                if (sb.length() > 1) {
                    sb.append(", ");
                }
                sb.append(c.name().toLowerCase(java.util.Locale.ROOT)).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }
}
