package io.switchyard.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class X25519Test {
    /** RFC 7748 section 5.2, the two single-multiplication vectors. */
    @Test
    void rfc7748ScalarMultiplication() {
        assertArrayEquals(
                Vectors.hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
                X25519.sharedSecret(
                        Vectors.hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                        Vectors.hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")));
        assertArrayEquals(
                Vectors.hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
                X25519.sharedSecret(
                        Vectors.hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                        Vectors.hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")));
    }

    /** RFC 7748 section 5.2, iterated: k = X25519(k, u), u = old k, after 1 and 1,000 rounds. */
    @Test
    void rfc7748Iterated() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] next = X25519.sharedSecret(k, u);
            u = k;
            k = next;
            if (i == 1) {
                assertArrayEquals(Vectors.hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
            }
        }
        assertArrayEquals(Vectors.hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
    }

    /** RFC 7748 section 6.1: Alice and Bob. */
    @Test
    void rfc7748DiffieHellman() {
        byte[] a = Vectors.hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] b = Vectors.hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        assertArrayEquals(Vectors.hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"),
                X25519.publicKey(a));
        assertArrayEquals(Vectors.hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
                X25519.publicKey(b));
        byte[] k = Vectors.hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assertArrayEquals(k, X25519.sharedSecret(a, X25519.publicKey(b)));
        assertArrayEquals(k, X25519.sharedSecret(b, X25519.publicKey(a)));
    }

    /**
     * Every Wycheproof case. "valid" must compute the expected secret; "acceptable" cases compute
     * it too unless the secret is all zeros (low-order public keys), which we refuse.
     */
    @Test
    void wycheproofX25519() {
        int refused = 0;
        int n = 0;
        for (Vectors.Case c : Vectors.wycheproof("x25519_test.json")) {
            n++;
            byte[] expected = c.hex("shared");
            byte[] got = X25519.sharedSecret(c.hex("private"), c.hex("public"));
            boolean zero = Arrays.equals(expected, new byte[32]);
            if (zero) {
                assertEquals("acceptable", c.result(), c.toString());
                assertTrue(c.flags().contains("ZeroSharedSecret"), c.toString());
                assertNull(got, c.toString());
                refused++;
            } else {
                assertTrue(!c.result().equals("invalid"), c.toString());
                assertArrayEquals(expected, got, c.toString());
            }
        }
        assertEquals(518, n);
        assertEquals(31, refused);
    }

    /** Bouncy Castle against the JDK's XDH on random keys: they must agree. */
    @Test
    void agreesWithJdkXdh() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            rnd.nextBytes(a);
            rnd.nextBytes(b);
            X25519.clamp(a);
            X25519.clamp(b);
            byte[] pubB = X25519.publicKey(b);
            assertArrayEquals(pubB, JdkX25519.publicKey(b));
            byte[] s = X25519.sharedSecret(a, pubB);
            assertNotNull(s);
            assertArrayEquals(s, JdkX25519.sharedSecret(a, pubB));
        }
    }
}
