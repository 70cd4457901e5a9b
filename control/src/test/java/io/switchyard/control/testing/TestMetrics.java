package io.switchyard.control.testing;

import io.switchyard.counters.CounterDescriptor;
import io.switchyard.counters.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Metrics for hand-made snapshots: every name a counter, unless it is listed as a gauge. */
public final class TestMetrics {
    private TestMetrics() {}

    public static List<Metric> of(Map<String, Long> values, String... gauges) {
        List<Metric> out = new ArrayList<>();
        List<String> g = List.of(gauges);
        values.forEach((k, v) -> out.add(new Metric(k, g.contains(k) ? CounterDescriptor.Kind.GAUGE
                : CounterDescriptor.Kind.COUNTER, "help of " + k, v)));
        return out;
    }
}
