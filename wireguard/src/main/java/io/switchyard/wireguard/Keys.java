package io.switchyard.wireguard;

import io.switchyard.wireguard.crypto.X25519;
import java.util.Base64;

/**
 * WireGuard key text exactly as {@code wg genkey}, {@code wg pubkey} and {@code wg genpsk} print
 * it: 32 bytes in standard base64 with padding, 44 characters, the last one {@code '='}.
 * Decoding is strict: anything else (wrong length, URL-safe alphabet, missing padding, stray
 * whitespace, non-zero unused bits) is an {@link IllegalArgumentException} saying what is wrong.
 */
public final class Keys {
    public static final int KEY_SIZE = 32;
    public static final int TEXT_LENGTH = 44;

    private Keys() {}

    /** {@code wg genkey}: a new clamped private key. */
    public static byte[] generatePrivateKey() {
        return X25519.generatePrivateKey();
    }

    /** {@code wg genpsk}: 32 random bytes (no clamping). */
    public static byte[] generatePresharedKey() {
        byte[] k = new byte[KEY_SIZE];
        new java.security.SecureRandom().nextBytes(k);
        return k;
    }

    /** {@code wg pubkey}: the public key of a private key (which is clamped first, as wg does). */
    public static byte[] publicKey(byte[] privateKey) {
        byte[] k = privateKey.clone();
        X25519.clamp(k);
        return X25519.publicKey(k);
    }

    public static String toBase64(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("a WireGuard key is 32 bytes, got " + key.length);
        }
        return Base64.getEncoder().encodeToString(key);
    }

    public static byte[] fromBase64(String text) {
        if (text == null || text.length() != TEXT_LENGTH || text.charAt(TEXT_LENGTH - 1) != '='
                || text.charAt(TEXT_LENGTH - 2) == '=') {
            throw new IllegalArgumentException(
                    "a WireGuard key is 44 characters of base64 ending in one '=', got "
                            + (text == null ? "nothing" : text.length() + " characters"));
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a WireGuard key is standard base64: " + e.getMessage(), e);
        }
        // 43 characters carry 258 bits for 256: the last character's low two bits must be zero,
        // or two different texts would name the same key (wg refuses them too).
        if (!Base64.getEncoder().encodeToString(key).equals(text)) {
            throw new IllegalArgumentException("a WireGuard key's base64 has non-zero unused bits");
        }
        return key;
    }
}
