package io.switchyard.wireguard;

import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;

/**
 * Which ChaCha20-Poly1305 engine seals and opens long packets, for a program that embeds the hub
 * and wants to say so (as {@code switchyard up} does at start). The engines themselves are not
 * API.
 */
public final class CryptoEngines {
    private CryptoEngines() {}

    /**
     * The engine for packets above 256 bytes now, and why: the Vector API kernel once its
     * warm-up measured it faster, else the JDK cipher (warming up, or no Vector API or AVX-512).
     */
    public static String longMessageEngine() {
        return HybridChaCha20Poly1305.longMessageEngine();
    }
}
