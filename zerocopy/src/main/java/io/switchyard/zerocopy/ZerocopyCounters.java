package io.switchyard.zerocopy;

import java.util.concurrent.atomic.LongAdder;

/**
 * A set of {@link ZerocopyCounter} values, safe to update from any thread and to share between
 * many pools and trackers. Striped adders keep cross-thread updates from contending on one line;
 * updates allocate nothing once the stripes exist.
 */
public final class ZerocopyCounters {
    private final LongAdder[] adders = new LongAdder[ZerocopyCounter.values().length];

    /** A fresh set, all zero. */
    public ZerocopyCounters() {
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    /** Adds one. */
    public void increment(ZerocopyCounter counter) {
        adders[counter.ordinal()].increment();
    }

    /** Adds {@code delta}. */
    public void add(ZerocopyCounter counter, long delta) {
        adders[counter.ordinal()].add(delta);
    }

    /** Current value (a moment's sum; concurrent updates may or may not be included). */
    public long get(ZerocopyCounter counter) {
        return adders[counter.ordinal()].sum();
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("ZerocopyCounters[");
        for (ZerocopyCounter c : ZerocopyCounter.values()) {
            long v = get(c);
            if (v != 0) {
                sb.append(c.name()).append('=').append(v).append(' ');
            }
        }
        return sb.append(']').toString();
    }
}
