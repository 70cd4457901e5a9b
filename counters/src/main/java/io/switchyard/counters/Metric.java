package io.switchyard.counters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One counter's value at a moment, with what it is: {@code name} is the dotted name readers show
 * ({@code io.gso_trains}: the group, a dot, the descriptor's {@link CounterDescriptor#metricName}).
 */
public record Metric(String name, CounterDescriptor.Kind kind, String description, long value) {
    /** {@code group.metricName} of {@code d} with {@code value}. */
    public static Metric of(String group, CounterDescriptor d, long value) {
        return new Metric(group.isEmpty() ? d.metricName() : group + "." + d.metricName(), d.kind(), d.description(), value);
    }

    /** The values of {@code metrics} by name, in their order. */
    public static Map<String, Long> byName(List<Metric> metrics) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Metric x : metrics) {
            m.put(x.name(), x.value());
        }
        return m;
    }
}
