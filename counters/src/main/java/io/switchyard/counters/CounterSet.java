package io.switchyard.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The values of one enum's counters, for one owner (a socket, a pool, an actor system, a peer),
 * in one of three ways of writing, chosen by who writes:
 * <ul>
 *   <li>{@link #atomic}: any thread, one locked add per update (a socket's counters, updated once
 *       per batch call from its receiving and its sending thread);</li>
 *   <li>{@link #striped}: many threads updating the same counters at packet rates (a buffer pool's
 *       exhaustion count), with {@link LongAdder}'s cells so they do not contend on one line;</li>
 *   <li>{@link #singleWriter}: one writing thread at a time (an actor, or a thread holding a
 *       lock), a plain read and an opaque write per update, no locked instruction; readers on any
 *       thread never see a torn value.</li>
 * </ul>
 * Nothing is allocated per update. Reads ({@link #get}, {@link #metrics}) may run on any thread
 * and see each value as of some recent moment.
 *
 * @param <E> the descriptor enum
 */
public abstract sealed class CounterSet<E extends Enum<E> & CounterDescriptor> permits CounterSet.Cells, CounterSet.Striped {
    private final E[] descriptors;

    private CounterSet(Class<E> type) {
        this.descriptors = type.getEnumConstants();
    }

    /** Updated from any thread with one atomic add each. */
    public static <E extends Enum<E> & CounterDescriptor> CounterSet<E> atomic(Class<E> type) {
        return new Atomic<>(type);
    }

    /** Updated from many threads at once, striped (LongAdder). */
    public static <E extends Enum<E> & CounterDescriptor> CounterSet<E> striped(Class<E> type) {
        return new Striped<>(type);
    }

    /** Updated by one thread at a time (plain read, opaque write). */
    public static <E extends Enum<E> & CounterDescriptor> CounterSet<E> singleWriter(Class<E> type) {
        return new SingleWriter<>(type);
    }

    /** Adds {@code delta} (nothing when 0). */
    public abstract void add(E counter, long delta);

    /** Adds one. */
    public void increment(E counter) {
        add(counter, 1);
    }

    /** Raises the value to {@code value} if it is below (a cumulative count reported by the kernel). */
    public abstract void max(E counter, long value);

    /** The value now. */
    public abstract long get(E counter);

    /** The descriptors, in declaration order. */
    public List<E> descriptors() {
        return List.of(descriptors);
    }

    /** Adds every value into {@code into}, indexed by ordinal (an accumulator the caller owns). */
    public void addTo(long[] into) {
        for (E d : descriptors) {
            into[d.ordinal()] += get(d);
        }
    }

    /** Every counter's value now, named {@code group.metricName}. */
    public List<Metric> metrics(String group) {
        List<Metric> out = new ArrayList<>(descriptors.length);
        for (E d : descriptors) {
            out.add(Metric.of(group, d, get(d)));
        }
        return out;
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("{");
        for (E d : descriptors) {
            long v = get(d);
            if (v != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(d.metricName()).append('=').append(v);
            }
        }
        return sb.append('}').toString();
    }

    /** One cell per counter in an array; how a cell is written is the subclass's. */
    private abstract static sealed class Cells<E extends Enum<E> & CounterDescriptor> extends CounterSet<E>
            permits Atomic, SingleWriter {
        final AtomicLongArray cells;

        Cells(Class<E> type) {
            super(type);
            cells = new AtomicLongArray(type.getEnumConstants().length);
        }
    }

    private static final class Atomic<E extends Enum<E> & CounterDescriptor> extends Cells<E> {
        Atomic(Class<E> type) {
            super(type);
        }

        @Override
        public void add(E counter, long delta) {
            if (delta != 0) {
                cells.getAndAdd(counter.ordinal(), delta);
            }
        }

        @Override
        public void max(E counter, long value) {
            // A CAS loop, not accumulateAndGet(Math::max): that path allocated ~40 bytes per call on JDK 25.
            int i = counter.ordinal();
            long v;
            do {
                v = cells.get(i);
            } while (value > v && !cells.compareAndSet(i, v, value));
        }

        @Override
        public long get(E counter) {
            return cells.get(counter.ordinal());
        }
    }

    private static final class Striped<E extends Enum<E> & CounterDescriptor> extends CounterSet<E> {
        private final LongAdder[] adders;

        Striped(Class<E> type) {
            super(type);
            adders = new LongAdder[type.getEnumConstants().length];
            for (int i = 0; i < adders.length; i++) {
                adders[i] = new LongAdder();
            }
        }

        @Override
        public void add(E counter, long delta) {
            if (delta != 0) {
                adders[counter.ordinal()].add(delta);
            }
        }

        @Override
        public void increment(E counter) {
            adders[counter.ordinal()].increment();
        }

        @Override
        public void max(E counter, long value) {
            throw new UnsupportedOperationException("a striped set has no max: use an atomic set for " + counter);
        }

        @Override
        public long get(E counter) {
            return adders[counter.ordinal()].sum();
        }
    }

    private static final class SingleWriter<E extends Enum<E> & CounterDescriptor> extends Cells<E> {
        SingleWriter(Class<E> type) {
            super(type);
        }

        @Override
        public void add(E counter, long delta) {
            int i = counter.ordinal();
            cells.setOpaque(i, cells.getPlain(i) + delta);
        }

        @Override
        public void max(E counter, long value) {
            int i = counter.ordinal();
            if (value > cells.getPlain(i)) {
                cells.setOpaque(i, value);
            }
        }

        @Override
        public long get(E counter) {
            return cells.getOpaque(counter.ordinal());
        }
    }
}
