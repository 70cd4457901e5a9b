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
    /*
     * The peer's packet buffers as MailboxShares keeps them (only it writes them): held, every
     * buffer waiting in this peer's mailbox; heldOut, the part of it that is packets for the
     * peer (from other peers or the hub), the rest being datagrams from it; handedOut, buffers
     * this peer's actor has put in other mailboxes that their actors have not taken yet.
     */
    @SuppressWarnings("unused") // through HELD
    private volatile int held;
    @SuppressWarnings("unused") // through HELD_OUT
    private volatile int heldOut;
    @SuppressWarnings("unused") // through HANDED_OUT
    private volatile int handedOut;
    /** Datagrams from this peer a receiver refused, its mailbox's inbound part full (any receiver writes it). */
    @SuppressWarnings("unused") // through REFUSED
    private volatile long refused;
    private static final VarHandle HELD;
    private static final VarHandle HELD_OUT;
    private static final VarHandle HANDED_OUT;
    private static final VarHandle REFUSED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HELD = l.findVarHandle(PeerHandle.class, "held", int.class);
            HELD_OUT = l.findVarHandle(PeerHandle.class, "heldOut", int.class);
            HANDED_OUT = l.findVarHandle(PeerHandle.class, "handedOut", int.class);
            REFUSED = l.findVarHandle(PeerHandle.class, "refused", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Buffers in this peer's mailbox. */
    int held() {
        return (int) HELD.getVolatile(this);
    }

    /** Of {@link #held()}, the packets for the peer. */
    int heldOut() {
        return (int) HELD_OUT.getVolatile(this);
    }

    /** Buffers this peer's actor has in other mailboxes. */
    int handedOut() {
        return (int) HANDED_OUT.getVolatile(this);
    }

    /** Adds to {@link #held()} and returns what it was before; {@link MailboxShares} only. */
    int addHeld(int buffers) {
        return (int) HELD.getAndAdd(this, buffers);
    }

    void addHeldOut(int buffers) {
        HELD_OUT.getAndAdd(this, buffers);
    }

    void addHandedOut(int buffers) {
        HANDED_OUT.getAndAdd(this, buffers);
    }

    /**
     * A receiver refused {@code n} of this peer's datagrams over its share (PEER_OVER_QUOTA):
     * counted here, not in the receiver's counters, so the peer's drops show them; the hub
     * adds them to the peer's when it takes stats.
     */
    void refusedAtReceive(long n) {
        REFUSED.getAndAdd(this, n);
    }

    long refusedAtReceive() {
        return (long) REFUSED.getVolatile(this);
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
