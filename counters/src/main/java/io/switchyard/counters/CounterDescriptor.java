package io.switchyard.counters;

import java.util.Locale;

/**
 * What one counter is, as Aeron's counter descriptors say it: a stable id, a stable name, one line
 * of help and whether it is a running total or a level. Each module describes its counters as an
 * enum implementing this ({@code IoCounter}, {@code ZerocopyCounter}, {@code ActorCounter},
 * {@code DropReason}, ...), stores their values in a {@link CounterSet}, and every reader (the
 * hub's stats, {@code switchyard show}, the metrics exporter) takes the name, help and
 * {@link Kind} from here instead of guessing them.
 */
public interface CounterDescriptor {
    /** Running totals only go up; gauges say a level now (a queue depth, buffers in use). */
    enum Kind {
        COUNTER,
        GAUGE
    }

    /** Stable numeric id within its enum; never reused for another meaning. */
    int id();

    /**
     * Stable snake_case name, unique within its enum: the metric name after the group's prefix.
     * Dots may structure it ({@code handshake.queue_depth}); exporters turn them into underscores.
     * By default the enum constant's name in lower case.
     */
    default String metricName() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
    }

    /** One line for humans: what it counts (the metric's HELP). */
    String description();

    /** Counter (the default) or gauge. */
    default Kind kind() {
        return Kind.COUNTER;
    }
}
