package io.switchyard.io;

/** The behavioural suite on the portable java.nio transport. */
class NioUdpSocketTest extends UdpSocketContract {
    @Override
    Transport transport() {
        return Transport.NIO;
    }
}
