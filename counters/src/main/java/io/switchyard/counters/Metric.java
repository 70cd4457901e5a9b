package io.switchyard.counters;

/**
 * One counter's value at a moment, with what it is: {@code name} is the dotted name readers show
 * ({@code io.gso_trains}: the group, a dot, the descriptor's {@link CounterDescriptor#metricName}).
 */
public record Metric(String name, CounterDescriptor.Kind kind, String description, long value) {
    /** {@code group.metricName} of {@code d} with {@code value}. */
    public static Metric of(String group, CounterDescriptor d, long value) {
        return new Metric(group.isEmpty() ? d.metricName() : group + "." + d.metricName(), d.kind(), d.description(), value);
    }
}
