package io.switchyard.router.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Wycheproof ChaCha20-Poly1305 case, plus RFC 8439 2.8.2, through each engine on heap and
 * direct buffers at an odd offset; then the engines against each other on random sizes.
 */
class AeadVectorTest {
    private static Function<byte[], Aead> engine(String name) {
        return switch (name) {
            case "jdk" -> JdkChaCha20Poly1305::new;
            case "inplace" -> InPlaceChaCha20Poly1305::new;
            case "hybrid" -> HybridChaCha20Poly1305::new;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static ByteBuffer buffer(boolean direct, int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid"})
    void wycheproofChaCha20Poly1305(String name) {
        List<Vectors.Case> cases = Vectors.wycheproof("chacha20_poly1305_test.json");
        int checked = 0;
        for (boolean direct : new boolean[] {false, true}) {
            for (Vectors.Case c : cases) {
                Aead aead = engine(name).apply(c.hex("key"));
                byte[] iv = c.hex("iv");
                byte[] aad = c.hex("aad");
                byte[] msg = c.hex("msg");
                byte[] sealed = concat(c.hex("ct"), c.hex("tag"));
                boolean valid = c.result().equals("valid");
                if (iv.length != Aead.NONCE_SIZE) {
                    // Wycheproof marks every other nonce size invalid; we refuse it outright.
                    assertTrue(!valid, c.toString());
                    assertThrows(IllegalArgumentException.class,
                            () -> aead.open(iv, aad, ByteBuffer.allocate(sealed.length), 0, sealed.length), c.toString());
                    checked++;
                    continue;
                }
                int at = 7;
                ByteBuffer b = buffer(direct, at + sealed.length + 3);
                if (valid) {
                    b.put(at, msg);
                    assertEquals(sealed.length, aead.seal(iv, aad, b, at, msg.length), c.toString());
                    assertArrayEquals(sealed, bytes(b, at, sealed.length), c.toString());
                }
                Aead opener = engine(name).apply(c.hex("key"));
                b.put(at, sealed);
                int n = opener.open(iv, aad, b, at, sealed.length);
                if (valid) {
                    assertEquals(msg.length, n, c.toString());
                    assertArrayEquals(msg, bytes(b, at, msg.length), c.toString());
                } else {
                    assertEquals(-1, n, c.toString());
                    if (name.equals("inplace")) {
                        // Authenticate before decrypting: a forged packet is left as received.
                        assertArrayEquals(sealed, bytes(b, at, sealed.length), c.toString());
                    }
                }
                checked++;
            }
        }
        assertEquals(2 * cases.size(), checked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid"})
    void rfc8439Section282(String name) {
        byte[] key = Vectors.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Vectors.hex("070000004041424344454647");
        byte[] aad = Vectors.hex("50515253c0c1c2c3c4c5c6c7");
        byte[] text = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
                + "the future, sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] tag = Vectors.hex("1ae10b594f09e26a7e902ecbd0600691");
        ByteBuffer b = ByteBuffer.allocateDirect(text.length + 16);
        b.put(0, text);
        engine(name).apply(key).seal(nonce, aad, b, 0, text.length);
        byte[] out = bytes(b, 0, text.length + 16);
        assertArrayEquals(Vectors.hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"),
                Arrays.copyOf(out, 32));
        assertArrayEquals(tag, Arrays.copyOfRange(out, text.length, text.length + 16));
    }

    /** The WireGuard counter nonce, both engines, random lengths: each must open the other's seal. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void enginesAgreeOnCounterNonce(boolean direct) {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 300; round++) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            int len = round < 100 ? round : rnd.nextInt(1500);
            long counter = rnd.nextLong();
            byte[] text = new byte[len];
            rnd.nextBytes(text);
            ByteBuffer a = buffer(direct, 16 + len + 16);
            ByteBuffer b = buffer(direct, 16 + len + 16);
            a.put(16, text);
            b.put(16, text);
            new JdkChaCha20Poly1305(key).seal(counter, a, 16, len);
            new InPlaceChaCha20Poly1305(key).seal(counter, b, 16, len);
            assertEquals(a, b, "len " + len);
            assertEquals(len, new InPlaceChaCha20Poly1305(key).open(counter, a, 16, len + 16));
            assertEquals(len, new JdkChaCha20Poly1305(key).open(counter, b, 16, len + 16));
            assertArrayEquals(text, bytes(a, 16, len));
            assertArrayEquals(text, bytes(b, 16, len));
            // The default engine switches engines by size: it must agree on both sides of the cut.
            ByteBuffer h = buffer(direct, 16 + len + 16);
            h.put(16, text);
            Aead.of(key).seal(counter, h, 16, len);
            new InPlaceChaCha20Poly1305(key).seal(counter, a, 16, len);
            assertEquals(a, h, "hybrid len " + len);
            assertEquals(len, new JdkChaCha20Poly1305(key).open(counter, h, 16, len + 16));
            assertEquals(len, Aead.of(key).open(counter, a, 16, len + 16));
            // The counter is the nonce: the wrong one fails, and so does a flipped bit.
            new InPlaceChaCha20Poly1305(key).seal(counter, a, 16, len);
            assertEquals(-1, new InPlaceChaCha20Poly1305(key).open(counter + 1, a, 16, len + 16));
            int flip = 16 + rnd.nextInt(len + 16);
            a.put(flip, (byte) (a.get(flip) ^ 1));
            assertEquals(-1, new JdkChaCha20Poly1305(key).open(counter, a, 16, len + 16));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid"})
    void shortOrMisnoncedInputIsRefusedCleanly(String name) {
        Aead aead = engine(name).apply(new byte[32]);
        assertEquals(-1, aead.open(1, ByteBuffer.allocate(15), 0, 15));
        assertThrows(IllegalArgumentException.class, () -> engine(name).apply(new byte[31]));
        assertThrows(IllegalArgumentException.class,
                () -> aead.seal(new byte[8], new byte[0], ByteBuffer.allocate(32), 0, 0));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] bytes(ByteBuffer b, int at, int len) {
        byte[] r = new byte[len];
        b.get(at, r);
        return r;
    }
}
