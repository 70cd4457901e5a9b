package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.crypto.Blake2s;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.WireGuard;

/**
 * This device's static key pair, with the two keys derived from its public half that others
 * use to MAC messages to us: {@code Hash(LABEL_MAC1 || public)} and {@code Hash(LABEL_COOKIE || public)}.
 */
public final class StaticIdentity {
    private final byte[] privateKey;
    private final byte[] publicKey;
    private final byte[] mac1Key;
    private final byte[] cookieKey;

    public StaticIdentity(byte[] privateKey) {
        this.privateKey = privateKey.clone();
        X25519.clamp(this.privateKey);
        this.publicKey = X25519.publicKey(this.privateKey);
        this.mac1Key = Blake2s.hash(WireGuard.LABEL_MAC1, publicKey);
        this.cookieKey = Blake2s.hash(WireGuard.LABEL_COOKIE, publicKey);
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    byte[] privateKey() {
        return privateKey;
    }

    byte[] publicKeyShared() {
        return publicKey;
    }

    byte[] mac1Key() {
        return mac1Key;
    }

    byte[] cookieKey() {
        return cookieKey;
    }
}
