package io.switchyard.counters;

import java.util.HashMap;
import java.util.Map;

/** Checks an enum of counters keeps the contract of {@link CounterDescriptor}; every module's tests call it. */
public final class CounterDescriptors {
    private CounterDescriptors() {}

    /**
     * Throws {@link IllegalStateException} naming the problem if two constants share an id or a
     * name, a name is not dotted snake_case ({@code handshake.queue_depth}), or a description is blank.
     */
    public static <E extends Enum<E> & CounterDescriptor> void validate(Class<E> type) {
        Map<Integer, E> ids = new HashMap<>();
        Map<String, E> names = new HashMap<>();
        for (E d : type.getEnumConstants()) {
            E other = ids.put(d.id(), d);
            if (other != null) {
                throw new IllegalStateException(type.getSimpleName() + ": " + other + " and " + d + " share id " + d.id());
            }
            other = names.put(d.metricName(), d);
            if (other != null) {
                throw new IllegalStateException(type.getSimpleName() + ": " + other + " and " + d + " share name " + d.metricName());
            }
            if (!d.metricName().matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*")) {
                throw new IllegalStateException(type.getSimpleName() + "." + d + ": name is not dotted snake_case: " + d.metricName());
            }
            if (d.description() == null || d.description().isBlank()) {
                throw new IllegalStateException(type.getSimpleName() + "." + d + " has no description");
            }
        }
    }
}
