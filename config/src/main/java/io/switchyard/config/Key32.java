package io.switchyard.config;

import java.util.Arrays;
import java.util.Base64;

/**
 * A 32-byte key as it appears in configuration files: standard base64, 44 characters ending in
 * one {@code '='}. This module knows nothing of the cryptography behind the key; it checks the
 * encoding and the length only. Immutable; equality is by value.
 *
 * <p>{@link #toString()} prints the base64 form, which is right for public keys. Types that hold
 * secrets (private and preshared keys) override their own {@code toString} to redact them.
 */
public final class Key32 {
    /** Key length in bytes. */
    public static final int LENGTH = 32;
    /** Length of the base64 encoding, padding included. */
    public static final int BASE64_LENGTH = 44;

    private final byte[] bytes;

    private Key32(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A key holding a copy of {@code bytes}, which must be 32 bytes long. */
    public static Key32 of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a key is " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Key32(bytes.clone());
    }

    /**
     * Decodes standard base64 (not URL-safe), exactly 44 characters with one '=' of padding.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public static Key32 fromBase64(String text) {
        if (text.length() != BASE64_LENGTH || text.charAt(BASE64_LENGTH - 1) != '='
                || text.charAt(BASE64_LENGTH - 2) == '=') {
            throw new IllegalArgumentException(EXPECTED);
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(EXPECTED);
        }
        // The last character carries 4 bits of key and 2 padding bits; require them zero so that
        // every key has exactly one spelling (otherwise write(parse(x)) could differ from x).
        if (decoded.length != LENGTH || !Base64.getEncoder().encodeToString(decoded).equals(text)) {
            throw new IllegalArgumentException(EXPECTED);
        }
        return new Key32(decoded);
    }

    static final String EXPECTED = "a 32-byte key in base64 (44 characters ending in '=')";

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The canonical base64 spelling. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** True if all 32 bytes are zero (wg treats an all-zero preshared key as "none"). */
    public boolean isZero() {
        int acc = 0;
        for (byte b : bytes) {
            acc |= b;
        }
        return acc == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key32 k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return toBase64();
    }
}
