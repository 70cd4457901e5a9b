package io.switchyard.io;

/**
 * {@link GroLargeTrainTest} on the io_uring transport. Its receiver once refused a GRO buffer of
 * more than 64 segments as an untrustworthy completion, so a 128-segment train (Linux 6.x) was
 * dropped, counted only as URING_BAD_COMPLETIONS, and a receiver waiting for it waited forever.
 */
class UringGroLargeTrainTest extends GroLargeTrainTest implements IoUringRequired {
    @Override
    Transport transport() {
        return Transport.URING;
    }
}
