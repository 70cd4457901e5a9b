package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.crypto.X25519;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The handshake state of one peer: its static key and pre-shared key, the precomputed static-static
 * Diffie-Hellman, the in-flight Noise state and the anti-replay facts (latest timestamp, time of
 * the last accepted initiation). {@link Noise} drives it; every transition happens under this
 * object's lock, and a message that fails changes nothing, so a forged response cannot disturb a
 * pending handshake.
 */
public final class Handshake {
    enum State { ZEROED, INITIATION_CREATED, INITIATION_CONSUMED, RESPONSE_CREATED, RESPONSE_CONSUMED }

    final byte[] remoteStatic;
    final byte[] presharedKey;
    /** DH(local static, remote static), or null when the peer's key is low order (unusable). */
    final byte[] staticStatic;
    private final CookieGenerator cookies;

    State state = State.ZEROED;
    byte[] hash;
    byte[] chainKey;
    byte[] localEphemeral;
    byte[] remoteEphemeral;
    int localIndex;
    int remoteIndex;
    byte[] latestTimestamp = new byte[Tai64n.SIZE];
    long lastInitiationNanos;
    boolean initiationSeen;

    /**
     * @param presharedKey 32 bytes, or null for none (WireGuard then uses 32 zero bytes)
     */
    public Handshake(StaticIdentity local, byte[] remoteStatic, byte[] presharedKey, LongSupplier nanoClock) {
        if (remoteStatic.length != X25519.KEY_SIZE) {
            throw new IllegalArgumentException("peer public key must be 32 bytes");
        }
        this.remoteStatic = remoteStatic.clone();
        this.presharedKey = presharedKey == null ? new byte[32] : presharedKey.clone();
        if (this.presharedKey.length != 32) {
            throw new IllegalArgumentException("preshared key must be 32 bytes");
        }
        this.staticStatic = X25519.sharedSecret(local.privateKey(), this.remoteStatic);
        this.cookies = new CookieGenerator(this.remoteStatic, nanoClock);
    }

    /**
     * Changes the preshared key (null: none) for handshakes from now on, as {@code wg set ...
     * preshared-key} does: the anti-replay facts stay, so an initiation recorded before the
     * change is still refused as stale. In place, under the lock: Noise reads it under the lock.
     */
    public synchronized void setPresharedKey(byte[] psk) {
        if (psk != null && psk.length != 32) {
            throw new IllegalArgumentException("preshared key must be 32 bytes");
        }
        if (psk == null) {
            Arrays.fill(presharedKey, (byte) 0);
        } else {
            System.arraycopy(psk, 0, presharedKey, 0, 32);
        }
    }

    public byte[] remoteStatic() {
        return remoteStatic.clone();
    }

    /** The MAC side of this peer: feed it cookie replies addressed to our pending message. */
    public CookieGenerator cookies() {
        return cookies;
    }

    /** The index our pending initiation was sent with, if one is pending (else 0). */
    public synchronized int pendingLocalIndex() {
        return state == State.INITIATION_CREATED ? localIndex : 0;
    }

    public synchronized boolean isInitiationPending() {
        return state == State.INITIATION_CREATED;
    }

    /**
     * Wipes the in-flight Noise state for ZERO_KEY_MATERIAL: the ephemeral private key, chaining
     * key, hash and both indexes. A response to the initiation that was pending can no longer
     * complete it (there is nothing left to complete). The anti-replay facts stay: forgetting the
     * latest timestamp would let a recorded initiation be replayed.
     */
    public synchronized void zeroKeyMaterial() {
        zero();
        localIndex = 0;
        remoteIndex = 0;
    }

    /** Whether no Noise state is in flight (after {@link #zeroKeyMaterial}, or never started). */
    public synchronized boolean isZeroed() {
        return state == State.ZEROED && hash == null && chainKey == null && localEphemeral == null
                && remoteEphemeral == null;
    }

    /**
     * Overwrites the secrets in place, then drops them; callers hold the lock. {@link Noise}
     * copies what it uses outside the lock, so an in-place wipe never corrupts a computation.
     */
    void zero() {
        state = State.ZEROED;
        wipe(localEphemeral);
        wipe(chainKey);
        wipe(hash);
        wipe(remoteEphemeral);
        hash = null;
        chainKey = null;
        localEphemeral = null;
        remoteEphemeral = null;
    }

    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
