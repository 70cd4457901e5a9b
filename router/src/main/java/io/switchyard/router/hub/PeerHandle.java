package io.switchyard.router.hub;

import io.switchyard.actors.ActorRef;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.wireguard.peer.PeerEngine;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * What the hub knows about one configured peer, shared by its parts: the protocol engine, the
 * actor that owns it, its counters (written by that actor only), and the endpoint and config as
 * last published for stats. It is also the value type of the routing trie: identity equality,
 * so a re-created peer (new preshared key) is a new route owner.
 */
final class PeerHandle {
    final Key32 key;
    final PeerEngine engine;
    final Counters counters = new Counters();
    volatile ActorRef<PeerMsg> ref;
    volatile PeerConfig config;
    /** The configured endpoint, resolved by the {@link PeerTable} (null: none, or unresolved). */
    volatile InetSocketAddress configuredEndpoint;
    /** The endpoint the actor sends to, published for stats (null: none known). */
    volatile InetSocketAddress endpoint;
    /**
     * Packet buffers waiting in this peer's mailbox (datagrams from it, packets for it): charged
     * by whoever hands them over, released by the peer's actor as it takes them, both through
     * {@link MailboxShares}, which bounds it so that one peer, or a flood at its receiver index,
     * cannot take the buffers every other peer needs.
     */
    @SuppressWarnings("unused") // through HELD
    private volatile int held;
    private static final VarHandle HELD;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(PeerHandle.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    int held() {
        return (int) HELD.getVolatile(this);
    }

    /** Adds {@code buffers} (negative: takes them off) and returns what was held before; {@link MailboxShares} only. */
    int addHeld(int buffers) {
        return (int) HELD.getAndAdd(this, buffers);
    }

    PeerHandle(Key32 key, PeerEngine engine, PeerConfig config, InetSocketAddress configuredEndpoint) {
        this.key = key;
        this.engine = engine;
        this.configuredEndpoint = configuredEndpoint;
        this.config = config;
    }

    /** A new configuration for the peer's actor to apply (the endpoint first: the actor reads config, then it). */
    void configure(PeerConfig next, InetSocketAddress endpoint) {
        configuredEndpoint = endpoint;
        config = next;
    }

    @Override
    public String toString() {
        return "peer " + key;
    }
}
