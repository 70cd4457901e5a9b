package io.switchyard.router;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A UDP datagram inside the overlay, delivered to a local endpoint of the hub (see
 * {@link Hub#bindUdp}): who sent it (a peer's inner address and port), which of the hub's
 * addresses and ports it was for, and its payload (a copy, the receiver's to keep).
 */
public record OverlayDatagram(InetAddress source, int sourcePort, InetAddress destination, int destinationPort,
        byte[] payload) {
    public OverlayDatagram {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(payload, "payload");
    }
}
