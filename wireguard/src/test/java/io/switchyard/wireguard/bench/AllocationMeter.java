package io.switchyard.wireguard.bench;

import java.lang.reflect.Method;

/**
 * Bytes allocated by the current thread, from the JDK's com.sun.management.ThreadMXBean. Reached
 * reflectively because router's module-info (which test compilation is patched into) does not read
 * java.management, and production code has no business doing so; at run time tests are on the
 * class path, where everything is readable.
 */
public final class AllocationMeter {
    private static final Object BEAN;
    private static final Method ALLOCATED;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bytes allocated so far by the calling thread. */
    public static long allocatedBytes() {
        try {
            return (long) ALLOCATED.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("thread allocation counter unavailable", e);
        }
    }

    /** Bytes allocated by {@code body} on this thread (after one unmeasured run to warm it). */
    public static long allocatedBy(Runnable body) {
        body.run();
        long before = allocatedBytes();
        body.run();
        long after = allocatedBytes();
        // Reading the counter itself boxes one Long; measure that overhead once and subtract it.
        long empty0 = allocatedBytes();
        long empty1 = allocatedBytes();
        return Math.max(0, after - before - (empty1 - empty0));
    }

    private AllocationMeter() {}
}
