package io.switchyard.router.hub;

import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One data-path part's counters (a receiver, a transmitter, a peer actor): every
 * {@link DropReason} and every {@link HubCounter}, in one array so that an idle peer pays one
 * object for all of them (a peer's counters are about a sixth of its memory). ONE writing thread
 * at a time (an actor, or a thread holding a lock) and any number of readers: an increment is a
 * plain read and an opaque write, no locked instruction on the data path, and readers never see a
 * torn value. The hub sums the parts when it takes stats. (What {@code CounterSet.singleWriter}
 * does for one enum, for the two a data-path part counts.)
 */
final class Counters {
    private static final int DROPS = DropReason.values().length;
    static final int SIZE = DROPS + HubCounter.values().length;

    private final AtomicLongArray values = new AtomicLongArray(SIZE);

    /** Where {@code c} is in an array of {@link #SIZE} totals ({@link #addTo}). */
    static int slot(HubCounter c) {
        return DROPS + c.ordinal();
    }

    /** Where {@code r} is in an array of {@link #SIZE} totals. */
    static int slot(DropReason r) {
        return r.ordinal();
    }

    void inc(HubCounter c) {
        add(DROPS + c.ordinal(), 1);
    }

    void add(HubCounter c, long delta) {
        add(DROPS + c.ordinal(), delta);
    }

    void drop(DropReason reason) {
        add(reason.ordinal(), 1);
    }

    void drop(DropReason reason, long n) {
        add(reason.ordinal(), n);
    }

    private void add(int slot, long delta) {
        values.setOpaque(slot, values.getPlain(slot) + delta);
    }

    long get(HubCounter c) {
        return values.getOpaque(DROPS + c.ordinal());
    }

    long get(DropReason r) {
        return values.getOpaque(r.ordinal());
    }

    /** Adds every slot of this into {@code into} (an accumulator owned by the caller). */
    void addTo(long[] into) {
        for (int i = 0; i < SIZE; i++) {
            into[i] += values.getOpaque(i);
        }
    }

    /** The drops in an array of totals, every reason present. */
    static Map<DropReason, Long> drops(long[] totals) {
        var m = new EnumMap<DropReason, Long>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, totals[r.ordinal()]);
        }
        return m;
    }
}
