package io.switchyard.router.hub;

import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.actors.SupervisorStrategy;
import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import io.switchyard.config.Endpoint;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.wireguard.routing.AllowedIps;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The configured peers: one {@link PeerHandle} and {@link PeerActor} each, kept in step with the
 * configuration. {@link #apply} takes a diff: removed peers retire (their indexes freed, so their
 * traffic is refused), changed ones are told their new config (a changed preshared key applies to
 * the next handshake and keeps the replay state), added ones start; then the routing trie is rebuilt and
 * published whole ({@link Routes}). Configured endpoints are resolved here, on the caller's
 * thread: a host name's DNS lookup blocks, and never inside an actor. Removed peers are kept so
 * that totals never go down. Not thread-safe: the hub serializes its changes.
 */
final class PeerTable {
    private static final System.Logger LOG = System.getLogger("io.switchyard.hub");

    private final Device device;
    private final ActorSystem system;
    private final PeerActor.Wiring wiring;
    private final Routes routes;
    private final ConcurrentHashMap<Key32, PeerHandle> peers = new ConcurrentHashMap<>();
    private final List<PeerHandle> retired = new CopyOnWriteArrayList<>();

    PeerTable(Device device, ActorSystem system, PeerActor.Wiring wiring, Routes routes) {
        this.device = device;
        this.system = system;
        this.wiring = wiring;
        this.routes = routes;
    }

    PeerHandle get(Key32 key) {
        return peers.get(key);
    }

    Collection<PeerHandle> live() {
        return peers.values();
    }

    List<PeerHandle> retired() {
        return retired;
    }

    int size() {
        return peers.size();
    }

    /** Starts every peer of a fresh hub. */
    void start(Config config) {
        for (PeerConfig p : config.peers()) {
            add(p);
        }
        publishRoutes(config);
    }

    /** Brings the peers from {@code before}'s to {@code next}'s. */
    void apply(ConfigDiff diff, Config next) {
        for (PeerConfig p : diff.removed()) {
            PeerHandle h = peers.get(p.publicKey());
            if (h != null) {
                remove(h);
            }
        }
        for (ConfigDiff.PeerChange c : diff.changed()) {
            PeerHandle h = peers.get(c.publicKey());
            if (c.fields().contains(ConfigDiff.PeerField.PRESHARED_KEY)) {
                // For the next handshake, as wg set does: the session and the replay state stay
                // (re-creating the peer once reset its TAI64N, so a recorded initiation was
                // accepted again and moved the endpoint).
                h.engine.setPresharedKey(c.after().presharedKey().orElse(null));
            }
            h.configure(c.after(), resolve(c.after()));
            h.ref.tell(new PeerMsg.Update(c.after()));
        }
        for (PeerConfig p : diff.added()) {
            add(p);
        }
        publishRoutes(next);
    }

    private void add(PeerConfig p) {
        PeerEngine engine = device.addPeer(p.publicKey(), p.presharedKey().orElse(null));
        PeerHandle h = new PeerHandle(p.publicKey(), engine, p, resolve(p));
        h.ref = system.spawn(Props.<PeerMsg>of(ctx -> new PeerActor(ctx, wiring, h))
                // Unbounded in messages: data is bounded in buffers (the peer quota), and a control
                // message (a finished handshake, a timer, a new config) must always get through.
                .withUnboundedMailbox()
                .withSupervisor(SupervisorStrategy.resume()), "peer-" + p.publicKey().toBase64().substring(0, 8));
        engine.attach(h); // after ref is set: the router reads ref through the attachment
        peers.put(p.publicKey(), h);
    }

    private void remove(PeerHandle h) {
        peers.remove(h.key, h);
        device.removePeer(h.key);
        retired.add(h);
        h.ref.tell(new PeerMsg.Retire());
    }

    private void publishRoutes(Config c) {
        AllowedIps<PeerHandle> table = new AllowedIps<>();
        for (PeerConfig p : c.peers()) {
            PeerHandle h = peers.get(p.publicKey());
            for (IpPrefix prefix : p.allowedIps()) {
                table.insert(prefix.addressBytes(), prefix.bits(), h);
            }
        }
        routes.publish(table.freeze());
    }

    /** The configured endpoint as an address, or null (none, or a name that does not resolve: logged). */
    private static InetSocketAddress resolve(PeerConfig p) {
        if (p.endpoint().isEmpty()) {
            return null;
        }
        Endpoint e = p.endpoint().get();
        try {
            return new InetSocketAddress(InetAddress.getByName(e.host()), e.port());
        } catch (UnknownHostException ex) {
            LOG.log(System.Logger.Level.WARNING, "endpoint {0} of peer {1} does not resolve; the hub waits for the peer to reach it",
                    e, p.publicKey().toBase64());
            return null;
        }
    }
}
