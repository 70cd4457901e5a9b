package io.switchyard.router.hub;

import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import java.io.IOException;

/**
 * Where a hub gets its sockets: the listen sockets at start, the peers' connected sockets later.
 * The real one is {@link SocketOpener} (io-native's transports, opened on one thread so that all
 * of a hub's sockets live in its network namespace); hub tests pass an in-memory one, as
 * wireguard-go tests two devices over an in-memory bind.
 */
public interface Sockets extends AutoCloseable {
    /** Opens a socket with {@code options}. */
    UdpSocket open(UdpOptions options) throws IOException;

    /** Opens a connected socket with MSG_ZEROCOPY sends (see {@link UdpZerocopyChannel#open}). */
    UdpZerocopyChannel openZerocopy(UdpOptions options, int maxBatch) throws IOException;

    /** No more sockets will be opened (those open stay open). */
    @Override
    void close();
}
