package io.switchyard.router;

import io.switchyard.actors.ActorRef;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigException;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A running WireGuard hub: stock WireGuard peers point at it as their one peer; it decrypts what
 * each sends, checks the inner source against that peer's AllowedIPs, looks the inner destination
 * up in all peers' AllowedIPs and re-encrypts for the owner. docs/router.md describes the data
 * path (router actor, peer actors, handshake workers) and every drop reason.
 *
 * <h2>Life cycle</h2>
 * {@link #start} binds the listen socket and starts the actors; {@link #apply} is the one way to
 * change a running hub; {@link #close} stops the actors and closes every socket. Thread-safe.
 *
 * <h2>Sockets and network namespaces</h2>
 * Every socket the hub ever opens (the listen socket, and later any per-peer connected socket)
 * is opened by one platform thread that {@code start} creates. A new thread inherits the network
 * namespace of the thread that creates it, so a hub started from a thread that entered a
 * namespace with {@code setns(2)} keeps all its sockets in that namespace, whatever thread later
 * asks for a socket. Tests run several hubs in one JVM, each in its own namespace, this way.
 */
public interface Hub extends AutoCloseable {

    /**
     * Starts a hub for {@code config}: binds {@code ListenPort} (0 = any free port) on all
     * addresses, dual stack, and configures every peer.
     *
     * @throws IOException if the socket cannot be opened or bound
     */
    static Hub start(Config config) throws IOException {
        Objects.requireNonNull(config, "config");
        return HubFactory.installed().start(config);
    }

    /**
     * Parses the wg-quick style {@code file} (see docs/config.md) and starts a hub for it. The
     * parser's warnings are in the exception when there are errors too; warnings alone are
     * ignored here ({@link ConfigParser#parse(Path)} returns them).
     *
     * @throws ConfigException naming file, line and column of every problem
     * @throws IOException if the socket cannot be opened or bound
     */
    static Hub start(Path file) throws ConfigException, IOException {
        return start(ConfigParser.parse(file).config());
    }

    /** The bound listen address (the actual port when {@code ListenPort} was 0). */
    InetSocketAddress localAddress();

    /** The running configuration (the last one applied). */
    Config config();

    /**
     * Replaces the running configuration atomically, peers matched by public key: new peers
     * appear; removed peers are torn down (their receiver indexes freed, so their traffic is
     * refused, and their staged packets dropped); changed AllowedIPs take effect for the next
     * packet routed; a changed endpoint or persistent keepalive applies at once; unchanged peers
     * keep their sessions, counters and learned endpoints. A changed preshared key is used from
     * the peer's next handshake on (its session and replay state stay, as with {@code wg set}).
     *
     * @throws IllegalArgumentException if {@code next} changes something a running hub cannot
     *     (private key, listen port, fwmark, or a {@code [Switchyard]} setting that requires a
     *     restart); the message lists them and the running configuration is untouched
     * @throws IllegalStateException if the hub is closed
     */
    void apply(Config next);

    /**
     * Serves UDP {@code port} on the hub's own overlay addresses (the interface's {@code Address}
     * entries): datagrams peers send there are told to {@code receiver} as
     * {@link OverlayDatagram}s, and the returned endpoint sends from that port into the overlay.
     * An application inside the overlay, written in Java; see docs/embedding.md. The hub also
     * answers ICMP echo (ping) on its addresses by itself.
     *
     * @param address one of the hub's addresses, or null (or a wildcard) for all of them
     * @throws IllegalArgumentException if {@code address} is not one of the hub's, or the port is out of range
     * @throws IllegalStateException if the port is bound already, or the hub is closed
     */
    OverlayUdpEndpoint bindUdp(java.net.InetAddress address, int port,
            io.switchyard.actors.ActorRef<? super OverlayDatagram> receiver);

    /**
     * Subscribes {@code listener} to the hub's {@link HubEvent}s: peers added and removed,
     * handshakes, peers up and down, endpoint changes, and per-second drop summaries. The
     * listener runs on a virtual thread of its own, one event at a time, in order per peer; a
     * listener that falls more than 4,096 events behind loses the newest (counted as
     * {@code events.dropped}), and one that throws keeps receiving. Close the returned handle to
     * unsubscribe; closing the hub ends every subscription.
     *
     * @throws IllegalStateException if the hub is closed
     */
    AutoCloseable subscribe(java.util.function.Consumer<? super HubEvent> listener);

    /**
     * Adds a peer to the running hub (as {@link #apply} with it added): its AllowedIPs route to it
     * at once; it handshakes when it first sends, or, with an {@code Endpoint}, when there is
     * traffic for it.
     *
     * @throws IllegalArgumentException if a peer with that public key exists
     */
    void addPeer(PeerConfig peer);

    /**
     * Replaces the configuration of the peer with {@code peer}'s public key (AllowedIPs,
     * endpoint, keepalive take effect at once; its session and counters stay; a new preshared
     * key is used from its next handshake).
     *
     * @throws IllegalArgumentException if there is no such peer
     */
    void updatePeer(PeerConfig peer);

    /** Removes the peer with this public key; its session ends and its traffic is refused. Returns whether it existed. */
    boolean removePeer(Key32 publicKey);

    /** The state and counters of one peer now, or empty if no such peer is configured. */
    default Optional<PeerStats> peer(Key32 publicKey) {
        return stats().peers().stream().filter(p -> p.publicKey().equals(publicKey)).findFirst();
    }

    /** The counters now: cheap (no pause of the data path), see {@link HubStats}. */
    HubStats stats();

    /** Stops the actors and workers, drops what is queued and closes every socket. Idempotent. */
    @Override
    void close();
}
