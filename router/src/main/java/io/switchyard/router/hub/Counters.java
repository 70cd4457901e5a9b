package io.switchyard.router.hub;

import io.switchyard.router.DropReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of counters with ONE writing thread at a time (an actor, or a thread holding a
 * lock) and any number of readers. Increments are a plain read and an opaque write: no locked
 * instruction on the data path, and readers never see a torn value. Slots 0..DropReason count-1
 * are the drop reasons by ordinal; the named slots follow.
 */
final class Counters {
    static final int DROPS = DropReason.values().length;
    static final int RX_PACKETS = DROPS;
    static final int RX_BYTES = DROPS + 1;
    static final int TX_PACKETS = DROPS + 2;
    static final int TX_BYTES = DROPS + 3;
    /** Transport messages delivered to their destination's socket. */
    static final int FORWARDED = DROPS + 4;
    /** Datagrams meant for the hub itself: handshake messages, cookie replies, keepalives. */
    static final int CONSUMED = DROPS + 5;
    static final int HANDSHAKES = DROPS + 6;
    static final int COOKIE_REPLIES = DROPS + 7;
    /** Receive calls a receiver put off because the buffer pool was nearly empty (backpressure). */
    static final int RECEIVE_WAITS = DROPS + 8;
    static final int SIZE = DROPS + 9;

    private final AtomicLongArray values = new AtomicLongArray(SIZE);

    void inc(int slot) {
        values.setOpaque(slot, values.getPlain(slot) + 1);
    }

    void add(int slot, long delta) {
        values.setOpaque(slot, values.getPlain(slot) + delta);
    }

    void drop(DropReason reason) {
        inc(reason.ordinal());
    }

    void drop(DropReason reason, long n) {
        add(reason.ordinal(), n);
    }

    long get(int slot) {
        return values.getOpaque(slot);
    }

    /** Adds every slot of this into {@code into} (an accumulator owned by the caller). */
    void addTo(long[] into) {
        for (int i = 0; i < SIZE; i++) {
            into[i] += get(i);
        }
    }

    static Map<DropReason, Long> drops(long[] totals) {
        var m = new EnumMap<DropReason, Long>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, totals[r.ordinal()]);
        }
        return m;
    }
}
