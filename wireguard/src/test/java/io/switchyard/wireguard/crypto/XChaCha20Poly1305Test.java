package io.switchyard.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class XChaCha20Poly1305Test {
    /** draft-irtf-cfrg-xchacha-03 section 2.2.1. */
    @Test
    void hChaCha20DraftVector() {
        byte[] key = Vectors.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = Vectors.hex("000000090000004a0000000031415927");
        assertArrayEquals(Vectors.hex("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc"),
                XChaCha20Poly1305.hChaCha20(key, nonce));
    }

    @Test
    void wycheproofXChaCha20Poly1305() {
        int n = 0;
        for (Vectors.Case c : Vectors.wycheproof("xchacha20_poly1305_test.json")) {
            byte[] key = c.hex("key");
            byte[] iv = c.hex("iv");
            byte[] aad = c.hex("aad");
            byte[] sealed = AeadVectorTest.concat(c.hex("ct"), c.hex("tag"));
            boolean valid = c.result().equals("valid");
            n++;
            if (iv.length != XChaCha20Poly1305.NONCE_SIZE) {
                assertEquals(false, valid, c.toString());
                assertThrows(IllegalArgumentException.class, () -> XChaCha20Poly1305.open(key, iv, aad, sealed));
                continue;
            }
            if (valid) {
                assertArrayEquals(sealed, XChaCha20Poly1305.seal(key, iv, aad, c.hex("msg")), c.toString());
                assertArrayEquals(c.hex("msg"), XChaCha20Poly1305.open(key, iv, aad, sealed), c.toString());
            } else {
                assertNull(XChaCha20Poly1305.open(key, iv, aad, sealed), c.toString());
            }
        }
        assertEquals(315, n);
    }
}
