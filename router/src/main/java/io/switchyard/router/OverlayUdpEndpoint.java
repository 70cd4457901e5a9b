package io.switchyard.router;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A UDP port the hub serves itself on its own overlay addresses (wg-quick {@code Address}): an
 * application living inside the overlay. Datagrams peers send to it reach the receiver given to
 * {@link Hub#bindUdp}; {@link #send} sends from it to any overlay address a peer owns, sealed
 * for that peer like forwarded traffic. Thread-safe. Closing frees the port.
 */
public interface OverlayUdpEndpoint extends AutoCloseable {
    /** Largest payload {@link #send} takes: a 1,420-byte inner packet (WireGuard's default MTU) less IP and UDP headers. */
    int MAX_IPV4_PAYLOAD = 1420 - 28;
    int MAX_IPV6_PAYLOAD = 1420 - 48;

    /** The port, with the address it is bound to (the wildcard when bound to every hub address). */
    InetSocketAddress localAddress();

    /**
     * Sends {@code payload} to {@code destination}:{@code port} inside the overlay, from this
     * port and the hub address of the destination's family. Returns false, counted in the hub's
     * {@code local.*} counters, when it cannot leave now: no peer owns the destination, the hub
     * has no address of that family, no packet buffer is free, or the peer's mailbox is full.
     *
     * @throws IllegalArgumentException if the payload exceeds {@link #MAX_IPV4_PAYLOAD} / {@link #MAX_IPV6_PAYLOAD}
     * @throws IllegalStateException if the endpoint or the hub is closed
     */
    boolean send(InetAddress destination, int port, byte[] payload);

    /** Unbinds the port; datagrams for it are then counted as unreachable. Idempotent. */
    @Override
    void close();
}
