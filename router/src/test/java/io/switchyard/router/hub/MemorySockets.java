package io.switchyard.router.hub;

import io.switchyard.io.MemoryNetwork;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import java.io.IOException;

/** A hub's sockets on an in-memory network (no kernel): for hub tests with a manual clock. */
final class MemorySockets implements Sockets {
    private final MemoryNetwork network;

    MemorySockets(MemoryNetwork network) {
        this.network = network;
    }

    @Override
    public UdpSocket open(UdpOptions options) throws IOException {
        return network.open(options);
    }

    @Override
    public UdpZerocopyChannel openZerocopy(UdpOptions options, int maxBatch) throws IOException {
        throw new IOException("the memory network has no MSG_ZEROCOPY");
    }

    @Override
    public void close() {
    }
}
