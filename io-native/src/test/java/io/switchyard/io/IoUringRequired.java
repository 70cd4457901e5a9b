package io.switchyard.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;

/** Tests of the io_uring transport: skipped, with the probe's reason, where io_uring is unavailable. */
interface IoUringRequired {
    @BeforeEach
    default void needsIoUring() {
        Capabilities caps = Capabilities.probe();
        assumeTrue(caps.available(Capability.IO_URING), () -> "io_uring unavailable: " + caps.reason(Capability.IO_URING));
    }
}
