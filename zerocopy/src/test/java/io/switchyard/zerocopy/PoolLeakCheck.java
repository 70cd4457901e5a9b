package io.switchyard.zerocopy;

import io.switchyard.counters.CounterSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test that leaked a buffer. Register with {@code @RegisterExtension}; create every pool
 * through {@link #mtu}, {@link #large} or {@link #track}. After each test: every tracked pool must
 * have no slot held and no double release counted; the failure names the acquirer of the first
 * leaked slot. The pools are then closed.
 */
final class PoolLeakCheck implements AfterEachCallback {
    private final List<MpmcBufferPool> pools = new ArrayList<>();

    MpmcBufferPool track(MpmcBufferPool pool) {
        if (!pool.debug()) {
            throw new IllegalArgumentException("leak checks need a debug pool");
        }
        pools.add(pool);
        return pool;
    }

    MpmcBufferPool mtu(int slots, CounterSet<ZerocopyCounter> counters) {
        return track(MpmcBufferPool.mtu(slots, true, counters));
    }

    MpmcBufferPool large(int slots, CounterSet<ZerocopyCounter> counters) {
        return track(MpmcBufferPool.large(slots, true, counters));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        verifyAndClose(context.getDisplayName());
    }

    /** The after-test check: throws AssertionError naming the leak, closes the pools either way. */
    void verifyAndClose(String testName) {
        try {
            for (MpmcBufferPool pool : pools) {
                var leaks = pool.leaks();
                if (!leaks.isEmpty()) {
                    var first = leaks.getFirst();
                    throw new AssertionError(leaks.size() + " slot(s) of pool " + pool.name()
                            + " leaked by " + testName + "; first: slot " + first.slot(),
                            first.acquiredAt());
                }
                long doubles = pool.counters().get(ZerocopyCounter.DOUBLE_RELEASE);
                if (doubles != 0) {
                    throw new AssertionError(doubles + " double release(s) in pool " + pool.name());
                }
            }
        } finally {
            pools.forEach(MpmcBufferPool::close);
            pools.clear();
        }
    }
}
