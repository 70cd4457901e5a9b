package io.switchyard.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;

/** The allocation bound of {@link HotPathAllocationTest} on the io_uring transport. */
class UringHotPathAllocationTest extends HotPathAllocationTest {
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
