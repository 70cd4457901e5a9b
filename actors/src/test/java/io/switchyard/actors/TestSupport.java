package io.switchyard.actors;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Hang guards for asynchronous assertions (generous: they bound a hang, they do not time anything). */
final class TestSupport {
    static final Duration LONG = Duration.ofSeconds(30);

    private TestSupport() {}

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
