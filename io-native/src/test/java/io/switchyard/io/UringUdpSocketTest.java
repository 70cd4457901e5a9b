package io.switchyard.io;

/** The behavioural suite on the io_uring transport (skipped, with the probe's reason, where io_uring is unavailable). */
class UringUdpSocketTest extends UdpSocketContract implements IoUringRequired {
    @Override
    Transport transport() {
        return Transport.URING;
    }
}
