package io.switchyard.wireguard.peer;

import io.switchyard.config.Key32;
import io.switchyard.wireguard.noise.CookieChecker;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.Handshake;
import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.noise.HandshakeRateLimiter;
import io.switchyard.wireguard.noise.Messages;
import io.switchyard.wireguard.noise.Noise;
import io.switchyard.wireguard.noise.SessionKeys;
import io.switchyard.wireguard.noise.StaticIdentity;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.session.IndexTable;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * The local side of WireGuard (wireguard-go's {@code Device}, without sockets or a TUN): our
 * static identity, the peers by public key, the receiver-index table shared by all of them, and
 * the handshake checks (mac1, cookies under load, per-source rate limit).
 *
 * <h2>Who calls what</h2>
 * <ul>
 *   <li>{@link #addPeer}/{@link #removePeer}: the control side.</li>
 *   <li>{@link #peerByIndex}: the receive classifier, to find the {@link PeerEngine} a transport
 *       message or cookie reply belongs to (one hash probe).</li>
 *   <li>{@link #admit}, {@link #handleInitiation}, {@link #handleResponse}: any thread, typically a
 *       handshake worker. They spend the Diffie-Hellman work and return a {@link HandshakeOutcome};
 *       the thread that owns the peer then calls {@link PeerEngine#installSession}. Splitting it
 *       so keeps the expensive part off the peer's owner and the keypair state single-threaded.</li>
 * </ul>
 * Thread-safe: the peer map and the index table are concurrent, and {@link Noise} commits each
 * handshake under the peer's {@link Handshake} lock only after the message authenticated.
 */
public final class Device {
    private final StaticIdentity identity;
    private final Key32 publicKey;
    private final Environment env;
    private final Noise noise;
    private final CookieChecker cookieChecker;
    private final HandshakeGate gate;
    private final IndexTable<PeerEngine> indexes;
    private final RandomGenerator random;
    private final ConcurrentHashMap<Key32, PeerEngine> peers = new ConcurrentHashMap<>();

    /** A device with the system clocks and random ephemeral keys. */
    public Device(Key32 privateKey) {
        this(privateKey, Environment.system(), new java.security.SecureRandom(), 1 << 16);
    }

    /**
     * @param env ephemeral keys and clocks (tests inject fixed ones)
     * @param random receiver indexes and timer jitter
     * @param maxRateLimitedSources how many handshake sources the rate limiter tracks at most
     */
    public Device(Key32 privateKey, Environment env, RandomGenerator random, long maxRateLimitedSources) {
        this.identity = new StaticIdentity(privateKey.toBytes());
        this.publicKey = Key32.of(identity.publicKey());
        this.env = Objects.requireNonNull(env, "env");
        this.random = Objects.requireNonNull(random, "random");
        this.noise = new Noise(identity, env);
        this.cookieChecker = new CookieChecker(identity, env.nanoClock());
        this.gate = new HandshakeGate(cookieChecker, new HandshakeRateLimiter(maxRateLimitedSources, env.nanoClock()));
        this.indexes = new IndexTable<>(random);
    }

    public Key32 publicKey() {
        return publicKey;
    }

    /** The monotonic clock every engine of this device uses. */
    public long nanoTime() {
        return env.nanoClock().getAsLong();
    }

    // ------------------------------------------------------------------ peers

    /**
     * Adds a peer (or returns the one already configured with this key, unchanged).
     *
     * @param presharedKey the peer's preshared key, or null for none
     */
    public PeerEngine addPeer(Key32 peerPublicKey, Key32 presharedKey) {
        return peers.computeIfAbsent(peerPublicKey, k -> new PeerEngine(this,
                noise.newPeer(k.toBytes(), presharedKey == null ? null : presharedKey.toBytes()), k,
                random.nextLong()));
    }

    /**
     * Removes a peer: it is no longer found for initiations, its indexes are freed so messages
     * to them are refused, and its keys are dropped. Returns it, or null if it was not configured.
     * The caller should not use the engine afterwards.
     */
    public PeerEngine removePeer(Key32 peerPublicKey) {
        PeerEngine p = peers.remove(peerPublicKey);
        if (p != null) {
            p.retire();
        }
        return p;
    }

    public PeerEngine peer(Key32 peerPublicKey) {
        return peers.get(peerPublicKey);
    }

    public Collection<PeerEngine> peers() {
        return Collections.unmodifiableCollection(peers.values());
    }

    /** The peer owning receiver index {@code index} (a session or a pending handshake), or null. */
    public PeerEngine peerByIndex(int index) {
        return indexes.get(index);
    }

    /**
     * The receiver index of a transport message or cookie reply at {@code offset} (little-endian
     * word at +4); the caller has checked the length with {@link Messages#classify}.
     */
    public static int receiverIndex(ByteBuffer packet, int offset) {
        int v = packet.getInt(offset + Messages.TRANSPORT_RECEIVER);
        return packet.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    // ------------------------------------------------------------------ handshakes

    /**
     * The checks before any Diffie-Hellman: mac1; under load a valid mac2, else a cookie reply
     * ({@link #cookieReply}); then the per-source rate limit.
     */
    public HandshakeGate.Verdict admit(byte[] msg, InetSocketAddress source, boolean underLoad) {
        return gate.admit(msg, source, underLoad);
    }

    /** The cookie reply for a message that got {@link HandshakeGate.Verdict#SEND_COOKIE}. */
    public byte[] cookieReply(byte[] msg, InetSocketAddress source) {
        return gate.cookieReply(msg, source);
    }

    /**
     * Consumes an initiation (already {@linkplain #admit admitted}), answers it and derives the
     * session. On success the outcome carries the 92-byte response to send to the source and the
     * keys the peer's owner installs with {@link PeerEngine#installSession}, which it should do
     * before the initiator's first data message is opened: in a single-threaded user, at once.
     */
    public HandshakeOutcome handleInitiation(byte[] msg) {
        PeerEngine[] found = new PeerEngine[1];
        try {
            Handshake h = noise.consumeInitiation(msg, key -> {
                PeerEngine p = peers.get(Key32.of(key));
                found[0] = p;
                return p == null ? null : p.handshake();
            });
            PeerEngine peer = found[0];
            int index = peer.newHandshakeIndex();
            byte[] response = noise.createResponse(h, index);
            SessionKeys keys = noise.beginSession(h);
            peer.handshakeYieldedKeys(index);
            return new HandshakeOutcome.Completed(peer, keys, response);
        } catch (HandshakeException e) {
            return new HandshakeOutcome.Refused(found[0], e.reason());
        }
    }

    /**
     * Consumes a response (already {@linkplain #admit admitted}) to an initiation one of our
     * engines sent; on success the outcome carries the keys for {@link PeerEngine#installSession}.
     * A response that fails leaves the pending initiation usable.
     */
    public HandshakeOutcome handleResponse(byte[] msg) {
        PeerEngine[] found = new PeerEngine[1];
        try {
            Handshake h = noise.consumeResponse(msg, index -> {
                PeerEngine p = indexes.get(index);
                found[0] = p;
                return p == null ? null : p.handshake();
            });
            SessionKeys keys = noise.beginSession(h);
            return new HandshakeOutcome.Completed(found[0], keys, null);
        } catch (HandshakeException e) {
            return new HandshakeOutcome.Refused(found[0], e.reason());
        }
    }

    /**
     * Takes the cookie of a 64-byte cookie reply for the next handshake message we send. Returns
     * the peer it was for, or null if it answers nothing of ours (unknown index, wrong mac1, bad
     * tag). Never moves an endpoint: cookie replies are not authenticated.
     */
    public PeerEngine handleCookieReply(byte[] msg) {
        if (msg.length != WireGuard.MESSAGE_COOKIE_REPLY_SIZE) {
            return null;
        }
        PeerEngine p = indexes.get(Messages.readInt(msg, Messages.COOKIE_RECEIVER));
        if (p == null) {
            return null;
        }
        return p.handshake().cookies().consumeReply(msg) ? p : null;
    }

    // ------------------------------------------------------------------ for engines

    Noise noise() {
        return noise;
    }

    IndexTable<PeerEngine> indexes() {
        return indexes;
    }

    /** The current number of registered receiver indexes (diagnostics, tests). */
    public int indexCount() {
        return indexes.size();
    }
}
