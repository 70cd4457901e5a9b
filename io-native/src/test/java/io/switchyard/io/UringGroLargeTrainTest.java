package io.switchyard.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;

/**
 * {@link GroLargeTrainTest} on the io_uring transport. Its receiver once refused a GRO buffer of
 * more than 64 segments as an untrustworthy completion, so a 128-segment train (Linux 6.x) was
 * dropped, counted only as URING_BAD_COMPLETIONS, and a receiver waiting for it waited forever.
 */
class UringGroLargeTrainTest extends GroLargeTrainTest {
    @Override
    Transport transport() {
        return Transport.URING;
    }

    @BeforeEach
    void needsIoUring() {
        Capabilities caps = Capabilities.probe();
        assumeTrue(caps.available(Capability.IO_URING), () -> "io_uring unavailable: " + caps.reason(Capability.IO_URING));
    }
}
