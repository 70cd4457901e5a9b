package io.switchyard.router.hub;

import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.NanoClock;
import io.switchyard.actors.Props;
import io.switchyard.actors.SupervisorStrategy;
import io.switchyard.config.RouterSettings;
import io.switchyard.config.Setting;
import io.switchyard.io.Transport;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.router.HubMetric;
import io.switchyard.zerocopy.UdpZerocopyChannel;
import io.switchyard.zerocopy.ZerocopyCompletionTracker;
import io.switchyard.zerocopy.ZerocopyConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * Opens the peers' connected sockets ({@code ConnectedSockets = on}): each bound to the listen
 * port with SO_REUSEPORT and connected to the peer's authenticated endpoint, with its receiver
 * actor (sharing the {@link RecvBatches} of all links) and, with {@code ZeroCopy}, its
 * MSG_ZEROCOPY completion tracker. A peer actor asks for one and owns what it gets.
 */
final class Links {
    private final Sockets sockets;
    private final Supplier<UdpOptions> options;
    private final RouterSettings settings;
    private final HubCounting counting;
    private final RecvBatches batches;
    private final ActorSystem system;
    private final RouterActor.Wiring receivers;
    private final NanoClock clock;

    /**
     * @param options fresh options of a hub socket, bound where the listen sockets are
     */
    Links(Sockets sockets, Supplier<UdpOptions> options, RouterSettings settings, HubCounting counting, RecvBatches batches,
          ActorSystem system, RouterActor.Wiring receivers, NanoClock clock) {
        this.sockets = sockets;
        this.options = options;
        this.settings = settings;
        this.counting = counting;
        this.batches = batches;
        this.system = system;
        this.receivers = receivers;
        this.clock = clock;
    }

    RecvBatches batches() {
        return batches;
    }

    /**
     * Opens a connected socket for {@code peer} to {@code remote} and starts its receiver.
     * Returns null, counted, if the kernel refuses (the peer keeps using the listen socket and
     * its actor tries again later).
     */
    PeerLink open(PeerHandle peer, InetSocketAddress remote) {
        UdpOptions o = options.get().reusePort(true).connect(remote);
        if (settings.transport() == Setting.Transport.URING) {
            o.transport(Transport.NATIVE); // an io_uring socket costs three rings: not one per peer
        }
        UdpSocket socket = null;
        PeerLink link = null;
        try {
            UdpZerocopyChannel channel = null;
            if (settings.zeroCopy()) {
                channel = sockets.openZerocopy(o, Trains.MAX_SEGMENTS);
                socket = channel.socket();
            } else {
                socket = sockets.open(o);
            }
            ZerocopyCompletionTracker tracker = channel == null ? null : new ZerocopyCompletionTracker(channel,
                    ZerocopyConfig.defaults().withSizeThreshold(settings.zeroCopyThreshold()), counting.zerocopy,
                    clock::nanoTime);
            UdpSocket linkSocket = socket;
            PeerLink opened = new PeerLink(remote, socket, channel, tracker, settings.zeroCopyThreshold(), counting::retire);
            link = opened;
            Counters rx = counting.register();
            counting.register(opened.txCounters());
            counting.register(socket, true);
            link.receiver = system.spawn(Props.<Object>of(
                            ctx -> new RouterActor(ctx, receivers, linkSocket, -1, null, batches, rx, () -> {
                                opened.closeSocket();
                                counting.retire(rx);
                                counting.retire(linkSocket);
                            }))
                    .withSupervisor(SupervisorStrategy.resume())
                    .withUnboundedMailbox(), "link-" + peer.key.toBase64().substring(0, 8));
            link.receiver.tell(RouterActor.POLL);
            counting.hub.increment(HubMetric.LINKS_OPENED);
            return link;
        } catch (IOException | RuntimeException e) {
            if (link != null) {
                link.close();
            } else if (socket != null) {
                socket.close();
            }
            if (socket != null) {
                counting.retire(socket);
            }
            counting.hub.increment(HubMetric.LINKS_OPEN_FAILED);
            System.getLogger("io.switchyard.hub").log(System.Logger.Level.DEBUG,
                    "connected socket for {0} to {1} refused: {2}", peer, remote, e.toString());
            return null;
        }
    }
}
