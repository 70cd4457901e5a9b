package io.switchyard.io;

/** The allocation bound of {@link HotPathAllocationTest} on the io_uring transport. */
class UringHotPathAllocationTest extends HotPathAllocationTest implements IoUringRequired {
    @Override
    Transport transport() {
        return Transport.URING;
    }
}
