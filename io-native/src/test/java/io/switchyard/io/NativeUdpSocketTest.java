package io.switchyard.io;

/** The behavioural suite on the Linux FFM transport. */
class NativeUdpSocketTest extends UdpSocketContract {
    @Override
    Transport transport() {
        return Transport.NATIVE;
    }
}
