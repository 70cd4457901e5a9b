package io.switchyard.wireguard.noise;

import static io.switchyard.wireguard.crypto.Blake2s.hash;
import static io.switchyard.wireguard.crypto.Blake2s.kdf;

import io.switchyard.wireguard.crypto.Aead;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.noise.Handshake.State;
import io.switchyard.wireguard.noise.HandshakeException.Reason;
import io.switchyard.wireguard.WireGuard;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it (whitepaper 5.4.2 to 5.4.5), for
 * one local identity. Stages, for initiator I and responder R:
 *
 * <pre>
 *  C = Hash(CONSTRUCTION); H = Hash(Hash(C || prologue) || S_R.pub)
 *  I: initiation  C = Kdf1(C, E_I.pub); H = Hash(H || E_I.pub)
 *                 (C, k) = Kdf2(C, DH(E_I, S_R)); static = AEAD(k, 0, S_I.pub, H); H = Hash(H || static)
 *                 (C, k) = Kdf2(C, DH(S_I, S_R)); timestamp = AEAD(k, 0, TAI64N, H); H = Hash(H || timestamp)
 *  R: response    C = Kdf1(C, E_R.pub); H = Hash(H || E_R.pub)
 *                 C = Kdf1(C, DH(E_R, E_I)); C = Kdf1(C, DH(E_R, S_I))
 *                 (C, t, k) = Kdf3(C, psk); H = Hash(H || t); empty = AEAD(k, 0, "", H); H = Hash(H || empty)
 *  both:          (T_I->R, T_R->I) = Kdf2(C, "")
 * </pre>
 *
 * Every received message is computed on copies of the state and committed under the peer's
 * {@link Handshake} lock only once it fully authenticated: a bad AEAD, a stale timestamp or a
 * flood leaves the peer exactly as it was. Initiations are refused unless their TAI64N is later
 * than the peer's last accepted one and at least {@link WireGuard#HANDSHAKE_INITIATION_RATE}
 * has passed since it. Thread-safe; it allocates (handshakes are off the data path).
 */
public final class Noise {
    private final StaticIdentity local;
    private final Environment env;
    private final byte[] initialChainKey;
    private final byte[] initialHash;

    public Noise(StaticIdentity local, Environment env) {
        this.local = local;
        this.env = env;
        this.initialChainKey = hash(WireGuard.CONSTRUCTION);
        this.initialHash = hash(initialChainKey, env.prologue());
    }

    public StaticIdentity identity() {
        return local;
    }

    /** A handshake state for a peer of this identity. */
    public Handshake newPeer(byte[] remoteStatic, byte[] presharedKey) {
        return new Handshake(local, remoteStatic, presharedKey, env.nanoClock());
    }

    /** Message 1 to {@code peer}, sent with our {@code localIndex}; mac1 and mac2 filled in. */
    public byte[] createInitiation(Handshake peer, int localIndex) throws HandshakeException {
        if (peer.staticStatic == null) {
            throw new HandshakeException(Reason.LOW_ORDER_KEY, "peer's static key is low order");
        }
        Scratch tmp = new Scratch();
        byte[] ck = initialChainKey;
        byte[] h = hash(initialHash, peer.remoteStatic);
        byte[] ephemeral = env.ephemeralKeys().get().clone();
        X25519.clamp(ephemeral);
        byte[] ephemeralPub = X25519.publicKey(ephemeral);
        byte[] encryptedStatic;
        byte[] encryptedTimestamp;
        try {
            ck = tmp.keep(kdf(1, ck, ephemeralPub))[0];
            h = hash(h, ephemeralPub);
            byte[][] ck_k = tmp.keep(kdf(2, ck, tmp.keep(dh(ephemeral, peer.remoteStatic))));
            ck = ck_k[0];
            encryptedStatic = Aead.of(ck_k[1]).seal(0, h, local.publicKeyShared());
            h = hash(h, encryptedStatic);
            ck_k = tmp.keep(kdf(2, ck, peer.staticStatic));
            ck = ck_k[0].clone(); // kept by the handshake, which wipes it itself
            byte[] timestamp = Tai64n.stamp(env.wallClock().instant());
            encryptedTimestamp = Aead.of(ck_k[1]).seal(0, h, timestamp);
            h = hash(h, encryptedTimestamp);
        } finally {
            tmp.wipe();
        }

        byte[] msg = new byte[WireGuard.MESSAGE_INITIATION_SIZE];
        Messages.writeInt(msg, Messages.TYPE, WireGuard.MESSAGE_INITIATION_TYPE);
        Messages.writeInt(msg, Messages.INITIATION_SENDER, localIndex);
        System.arraycopy(ephemeralPub, 0, msg, Messages.INITIATION_EPHEMERAL, 32);
        System.arraycopy(encryptedStatic, 0, msg, Messages.INITIATION_STATIC, encryptedStatic.length);
        System.arraycopy(encryptedTimestamp, 0, msg, Messages.INITIATION_TIMESTAMP, encryptedTimestamp.length);
        synchronized (peer) {
            peer.zero();
            peer.chainKey = ck;
            peer.hash = h;
            peer.localEphemeral = ephemeral;
            peer.localIndex = localIndex;
            peer.state = State.INITIATION_CREATED;
            // MACs last, inside the lock, so the cookie generator remembers this message's mac1.
            peer.cookies().addMacs(msg);
        }
        return msg;
    }

    /**
     * Consumes message 1 (mac1 already checked by the caller). Finds the peer by the decrypted
     * static key through {@code peers} and returns its handshake, now ready for a response.
     */
    public Handshake consumeInitiation(byte[] msg, Function<byte[], Handshake> peers) throws HandshakeException {
        try {
            Messages.require(msg, WireGuard.MESSAGE_INITIATION_TYPE, WireGuard.MESSAGE_INITIATION_SIZE);
        } catch (MalformedMessageException e) {
            throw new HandshakeException(Reason.MALFORMED, e.getMessage());
        }
        byte[] ephemeralPub = Messages.slice(msg, Messages.INITIATION_EPHEMERAL, 32);
        Scratch tmp = new Scratch();
        try {
            return consumeInitiation(msg, peers, ephemeralPub, tmp);
        } finally {
            tmp.wipe();
        }
    }

    private Handshake consumeInitiation(byte[] msg, Function<byte[], Handshake> peers, byte[] ephemeralPub, Scratch tmp)
            throws HandshakeException {
        byte[] ck = initialChainKey;
        byte[] h = hash(initialHash, local.publicKeyShared());
        ck = tmp.keep(kdf(1, ck, ephemeralPub))[0];
        h = hash(h, ephemeralPub);
        byte[][] ck_k = tmp.keep(kdf(2, ck, tmp.keep(dh(local.privateKey(), ephemeralPub))));
        ck = ck_k[0];
        byte[] encryptedStatic = Messages.slice(msg, Messages.INITIATION_STATIC, Messages.ENCRYPTED_STATIC_SIZE);
        byte[] remoteStatic = Aead.of(ck_k[1]).open(0, h, encryptedStatic);
        if (remoteStatic == null) {
            throw new HandshakeException(Reason.DECRYPT_FAILED, "initiation static key");
        }
        h = hash(h, encryptedStatic);
        Handshake peer = peers.apply(remoteStatic);
        if (peer == null) {
            throw new HandshakeException(Reason.UNKNOWN_PEER, "initiation from an unconfigured key");
        }
        if (peer.staticStatic == null) {
            throw new HandshakeException(Reason.LOW_ORDER_KEY, "peer's static key is low order");
        }
        ck_k = tmp.keep(kdf(2, ck, peer.staticStatic));
        ck = ck_k[0];
        byte[] encryptedTimestamp = Messages.slice(msg, Messages.INITIATION_TIMESTAMP, Messages.ENCRYPTED_TIMESTAMP_SIZE);
        byte[] timestamp = Aead.of(ck_k[1]).open(0, h, encryptedTimestamp);
        if (timestamp == null) {
            throw new HandshakeException(Reason.DECRYPT_FAILED, "initiation timestamp");
        }
        h = hash(h, encryptedTimestamp);
        long now = env.nanoClock().getAsLong();
        synchronized (peer) {
            if (!Tai64n.isAfter(timestamp, peer.latestTimestamp)) {
                throw new HandshakeException(Reason.STALE_TIMESTAMP, "initiation timestamp not newer than the last");
            }
            if (peer.initiationSeen && now - peer.lastInitiationNanos < WireGuard.HANDSHAKE_INITIATION_RATE.toNanos()) {
                throw new HandshakeException(Reason.FLOOD, "initiation within 20 ms of the last");
            }
            peer.zero();
            peer.chainKey = ck.clone();
            peer.hash = h;
            peer.remoteEphemeral = ephemeralPub;
            peer.remoteIndex = Messages.readInt(msg, Messages.INITIATION_SENDER);
            peer.latestTimestamp = timestamp;
            peer.lastInitiationNanos = now;
            peer.initiationSeen = true;
            peer.state = State.INITIATION_CONSUMED;
        }
        return peer;
    }

    /** Message 2 answering the initiation {@code peer} just consumed, sent with our {@code localIndex}. */
    public byte[] createResponse(Handshake peer, int localIndex) throws HandshakeException {
        synchronized (peer) {
            if (peer.state != State.INITIATION_CONSUMED) {
                throw new HandshakeException(Reason.UNEXPECTED_STATE, "no consumed initiation to answer");
            }
            byte[] ephemeral = env.ephemeralKeys().get().clone();
            X25519.clamp(ephemeral);
            byte[] ephemeralPub = X25519.publicKey(ephemeral);
            Scratch tmp = new Scratch();
            byte[] ck;
            byte[] h;
            byte[] empty;
            try {
                ck = tmp.keep(kdf(1, peer.chainKey, ephemeralPub))[0];
                h = hash(peer.hash, ephemeralPub);
                ck = tmp.keep(kdf(1, ck, tmp.keep(dh(ephemeral, peer.remoteEphemeral))))[0];
                ck = tmp.keep(kdf(1, ck, tmp.keep(dh(ephemeral, peer.remoteStatic))))[0];
                byte[][] ck_t_k = tmp.keep(kdf(3, ck, peer.presharedKey));
                ck = ck_t_k[0].clone(); // kept by the handshake, which wipes it itself
                h = hash(h, ck_t_k[1]);
                empty = Aead.of(ck_t_k[2]).seal(0, h, new byte[0]);
                h = hash(h, empty);
            } finally {
                tmp.wipe();
            }

            byte[] msg = new byte[WireGuard.MESSAGE_RESPONSE_SIZE];
            Messages.writeInt(msg, Messages.TYPE, WireGuard.MESSAGE_RESPONSE_TYPE);
            Messages.writeInt(msg, Messages.RESPONSE_SENDER, localIndex);
            Messages.writeInt(msg, Messages.RESPONSE_RECEIVER, peer.remoteIndex);
            System.arraycopy(ephemeralPub, 0, msg, Messages.RESPONSE_EPHEMERAL, 32);
            System.arraycopy(empty, 0, msg, Messages.RESPONSE_EMPTY, empty.length);
            Arrays.fill(ephemeral, (byte) 0);
            wipe(peer.chainKey);
            peer.chainKey = ck;
            peer.hash = h;
            peer.localIndex = localIndex;
            peer.state = State.RESPONSE_CREATED;
            peer.cookies().addMacs(msg);
            return msg;
        }
    }

    /**
     * Consumes message 2 (mac1 already checked). {@code pending} maps our receiver index to the
     * peer whose initiation it answers. On any failure the pending initiation stays usable.
     */
    public Handshake consumeResponse(byte[] msg, IntFunction<Handshake> pending) throws HandshakeException {
        try {
            Messages.require(msg, WireGuard.MESSAGE_RESPONSE_TYPE, WireGuard.MESSAGE_RESPONSE_SIZE);
        } catch (MalformedMessageException e) {
            throw new HandshakeException(Reason.MALFORMED, e.getMessage());
        }
        int receiver = Messages.readInt(msg, Messages.RESPONSE_RECEIVER);
        Handshake peer = pending.apply(receiver);
        if (peer == null) {
            throw new HandshakeException(Reason.UNKNOWN_INDEX, "response to an unknown index");
        }
        byte[] ck;
        byte[] h;
        byte[] ephemeral;
        byte[] psk;
        synchronized (peer) {
            if (peer.state != State.INITIATION_CREATED || peer.localIndex != receiver) {
                throw new HandshakeException(Reason.UNEXPECTED_STATE, "no initiation pending under that index");
            }
            // Copies: zero() wipes the originals in place, possibly while we compute.
            ck = peer.chainKey.clone();
            h = peer.hash.clone();
            ephemeral = peer.localEphemeral.clone();
            psk = peer.presharedKey.clone(); // setPresharedKey changes it in place, under the lock
        }
        byte[] ephemeralPub = Messages.slice(msg, Messages.RESPONSE_EPHEMERAL, 32);
        Scratch tmp = new Scratch();
        tmp.keep(ck); // copies of the handshake's
        tmp.keep(psk);
        try {
            ck = tmp.keep(kdf(1, ck, ephemeralPub))[0];
            h = hash(h, ephemeralPub);
            ck = tmp.keep(kdf(1, ck, tmp.keep(dh(ephemeral, ephemeralPub))))[0];
            // The ephemeral private key is spent once DH(E_I, E_R) is done, success or not.
            tmp.keep(ephemeral);
            ck = tmp.keep(kdf(1, ck, tmp.keep(dh(local.privateKey(), ephemeralPub))))[0];
            byte[][] ck_t_k = tmp.keep(kdf(3, ck, psk));
            ck = ck_t_k[0].clone(); // kept by the handshake, which wipes it itself
            h = hash(h, ck_t_k[1]);
            byte[] empty = Messages.slice(msg, Messages.RESPONSE_EMPTY, WireGuard.AEAD_TAG_SIZE);
            if (Aead.of(ck_t_k[2]).open(0, h, empty) == null) {
                wipe(ck);
                throw new HandshakeException(Reason.DECRYPT_FAILED, "response empty payload");
            }
            h = hash(h, empty);
        } finally {
            tmp.wipe();
            Arrays.fill(ephemeral, (byte) 0);
        }
        synchronized (peer) {
            // A concurrent new initiation may have replaced the one this answered.
            if (peer.state != State.INITIATION_CREATED || peer.localIndex != receiver) {
                wipe(ck);
                throw new HandshakeException(Reason.UNEXPECTED_STATE, "initiation replaced while consuming");
            }
            wipe(peer.chainKey);
            peer.chainKey = ck;
            peer.hash = h;
            peer.remoteIndex = Messages.readInt(msg, Messages.RESPONSE_SENDER);
            peer.state = State.RESPONSE_CONSUMED;
        }
        return peer;
    }

    /**
     * Derives the transport keys once the handshake completed on this side (initiator after a
     * consumed response, responder after creating its response) and zeroes the handshake state.
     */
    public SessionKeys beginSession(Handshake peer) throws HandshakeException {
        synchronized (peer) {
            boolean initiator;
            if (peer.state == State.RESPONSE_CONSUMED) {
                initiator = true;
            } else if (peer.state == State.RESPONSE_CREATED) {
                initiator = false;
            } else {
                throw new HandshakeException(Reason.UNEXPECTED_STATE, "handshake not complete");
            }
            byte[][] t = kdf(2, peer.chainKey, new byte[0]);
            SessionKeys keys = initiator
                    ? new SessionKeys(t[0], t[1], peer.localIndex, peer.remoteIndex, true)
                    : new SessionKeys(t[1], t[0], peer.localIndex, peer.remoteIndex, false);
            peer.zero();
            return keys;
        }
    }

    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] dh(byte[] privateKey, byte[] publicKey) throws HandshakeException {
        byte[] s = X25519.sharedSecret(privateKey, publicKey);
        if (s == null) {
            throw new HandshakeException(Reason.LOW_ORDER_KEY, "Diffie-Hellman result is zero");
        }
        return s;
    }
}
