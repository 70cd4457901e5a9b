package io.switchyard.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            case "vector" -> InPlaceChaCha20Poly1305::vectorisedAnyWidth;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static ByteBuffer buffer(boolean direct, int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid", "vector"})
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

    /**
     * RFC 8439 section 2.8.2: the whole 114-byte ciphertext and the tag, sealed on heap and
     * direct buffers at an offset, then opened back to the plaintext.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid", "vector"})
    void rfc8439Section282(String name) {
        byte[] key = Vectors.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Vectors.hex("070000004041424344454647");
        byte[] aad = Vectors.hex("50515253c0c1c2c3c4c5c6c7");
        byte[] text = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
                + "the future, sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] sealed = Vectors.hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691");
        assertEquals(114 + 16, sealed.length);
        for (boolean direct : new boolean[] {false, true}) {
            int at = 5;
            ByteBuffer b = buffer(direct, at + sealed.length + 3);
            b.put(at, text);
            assertEquals(sealed.length, engine(name).apply(key).seal(nonce, aad, b, at, text.length));
            assertArrayEquals(sealed, bytes(b, at, sealed.length), "direct=" + direct);
            assertEquals(text.length, engine(name).apply(key).open(nonce, aad, b, at, sealed.length));
            assertArrayEquals(text, bytes(b, at, text.length));
        }
    }

    /**
     * RFC 8439 appendix A.5, the AEAD decryption vector: 265 bytes of ciphertext and the tag open
     * to the whole of the draft boilerplate text; one flipped bit in the tag is refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid", "vector"})
    void rfc8439AppendixA5(String name) {
        byte[] key = Vectors.hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
        byte[] nonce = Vectors.hex("000000000102030405060708");
        byte[] aad = Vectors.hex("f33388860000000000004e91");
        byte[] sealed = Vectors.hex("64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
                + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
                + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
                + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
                + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
                + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
                + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
                + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
                + "a6ad5cb4022b02709b"
                + "eead9d67890cbb22392336fea1851f38");
        byte[] text = ("Internet-Drafts are draft documents valid for a maximum of six months and may be "
                + "updated, replaced, or obsoleted by other documents at any time. It is inappropriate to "
                + "use Internet-Drafts as reference material or to cite them other than as /\u201cwork in "
                + "progress./\u201d").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(265, text.length);
        assertEquals(265 + 16, sealed.length);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer b = buffer(direct, sealed.length + 9);
            b.put(9, sealed);
            assertEquals(text.length, engine(name).apply(key).open(nonce, aad, b, 9, sealed.length));
            assertArrayEquals(text, bytes(b, 9, text.length), "direct=" + direct);
            // ... and sealing the plaintext gives exactly the vector back.
            assertEquals(sealed.length, engine(name).apply(key).seal(nonce, aad, b, 9, text.length));
            assertArrayEquals(sealed, bytes(b, 9, sealed.length));
            b.put(9 + sealed.length - 1, (byte) (sealed[sealed.length - 1] ^ 1));
            assertEquals(-1, engine(name).apply(key).open(nonce, aad, b, 9, sealed.length));
        }
    }

    /** After destroy the key reads as zeros, nothing opens, and nothing can be sealed. */
    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid", "vector"})
    void destroyZeroesTheKeyAndRefusesFromThenOn(String name) {
        byte[] key = new byte[32];
        new SplittableRandom(7).nextBytes(key);
        Aead aead = engine(name).apply(key);
        for (int len : new int[] {40, 600}) { // both sides of the hybrid's cut-over
            ByteBuffer b = ByteBuffer.allocate(len + 16);
            aead.seal(len, b, 0, len); // a fresh counter each time: the JDK refuses a nonce reuse
            ByteBuffer copy = ByteBuffer.allocate(len + 16).put(0, b, 0, len + 16);
            assertFalse(aead.isDestroyed());
            Aead other = engine(name).apply(key);
            other.destroy();
            assertTrue(other.isDestroyed());
            assertEquals(-1, other.open(len, copy, 0, len + 16), "a destroyed engine opens nothing");
            assertThrows(IllegalStateException.class, () -> other.seal(len + 1, ByteBuffer.allocate(len + 16), 0, len));
            assertEquals(len, engine(name).apply(key).open(len, b, 0, len + 16), "the message itself was fine");
        }
        aead.destroy();
        aead.destroy(); // idempotent
        assertTrue(aead.isDestroyed());
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

    /**
     * The vector kernel against the JDK cipher on every length up to 1,600 bytes (both sides of
     * its cut-over, every count of whole lane groups and every tail), with and without associated
     * data, one engine instance throughout (its state must not leak from one message to the next).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void vectorKernelMatchesTheJdkOnEveryLength(boolean direct) {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] key = new byte[32];
        rnd.nextBytes(key);
        Aead vector = InPlaceChaCha20Poly1305.vectorisedAnyWidth(key);
        Aead jdk = new JdkChaCha20Poly1305(key);
        for (int len = 0; len <= 1600; len++) {
            byte[] text = new byte[len];
            rnd.nextBytes(text);
            byte[] aad = new byte[len % 3 == 0 ? 0 : rnd.nextInt(40)];
            rnd.nextBytes(aad);
            byte[] nonce = new byte[Aead.NONCE_SIZE];
            rnd.nextBytes(nonce);
            ByteBuffer v = buffer(direct, 5 + len + 16);
            ByteBuffer j = buffer(direct, 5 + len + 16);
            v.put(5, text);
            j.put(5, text);
            long counter = rnd.nextLong();
            if (aad.length == 0) {
                vector.seal(counter, v, 5, len);
                jdk.seal(counter, j, 5, len);
            } else {
                vector.seal(nonce, aad, v, 5, len);
                jdk.seal(nonce, aad, j, 5, len);
            }
            assertEquals(j, v, "seal, len " + len + ", aad " + aad.length);
            int opened = aad.length == 0 ? vector.open(counter, v, 5, len + 16) : vector.open(nonce, aad, v, 5, len + 16);
            assertEquals(len, opened, "open, len " + len);
            assertArrayEquals(text, bytes(v, 5, len));
            // A flipped bit anywhere fails, and the buffer stays as it was received.
            if (aad.length == 0) {
                jdk.seal(counter + 1, j, 5, len);
                int flip = 5 + rnd.nextInt(len + 16);
                j.put(flip, (byte) (j.get(flip) ^ 0x40));
                byte[] before = bytes(j, 5, len + 16);
                assertEquals(-1, vector.open(counter + 1, j, 5, len + 16), "flip at " + flip + ", len " + len);
                assertArrayEquals(before, bytes(j, 5, len + 16));
            }
        }
    }

    /**
     * Consecutive counters, as a session sends them: the vector kernel's last pass computes the
     * next counter's first blocks, and the next message starts from them. Checked against the
     * JDK cipher for seal (one engine) and open (another), with gaps and short messages between
     * (the prefetch must be dropped, not misused), with associated data on some messages, with a
     * forged message of the same counter opened first (its failure must not spoil the genuine
     * one), across the nonce's 32-bit word boundary and its top word's wrap; the last case with an
     * all-ones key and all-ones payloads, the largest limbs Poly1305 can meet.
     */
    @ParameterizedTest
    @ValueSource(strings = {"heap", "direct", "wrap", "ones"})
    void vectorKernelAgreesOnConsecutiveCounters(String kind) {
        boolean direct = !kind.equals("heap");
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] key = new byte[32];
        rnd.nextBytes(key);
        if (kind.equals("ones")) {
            Arrays.fill(key, (byte) 0xff);
        }
        Aead sealer = InPlaceChaCha20Poly1305.vectorisedAnyWidth(key);
        Aead opener = InPlaceChaCha20Poly1305.vectorisedAnyWidth(key);
        Aead jdk = new JdkChaCha20Poly1305(key);
        long counter = kind.equals("wrap") ? -40L : 0xffff_fff0L;
        for (int i = 0; i < 600; i++) {
            int len = switch (rnd.nextInt(6)) {
                case 0 -> 1420;
                case 1 -> 1436;
                case 2 -> rnd.nextInt(257);
                default -> 257 + rnd.nextInt(1400);
            };
            if (rnd.nextInt(8) == 0) {
                counter += 1 + rnd.nextInt(3);
            }
            byte[] text = new byte[len];
            rnd.nextBytes(text);
            if (kind.equals("ones")) {
                Arrays.fill(text, (byte) 0xff);
            }
            byte[] aad = rnd.nextInt(4) == 0 ? new byte[1 + rnd.nextInt(32)] : null;
            if (aad != null) {
                rnd.nextBytes(aad);
            }
            byte[] nonce = Aead.nonce(counter);
            ByteBuffer v = buffer(direct, 3 + len + 16);
            ByteBuffer j = buffer(direct, 3 + len + 16);
            v.put(3, text);
            j.put(3, text);
            if (aad == null) {
                sealer.seal(counter, v, 3, len);
                jdk.seal(counter, j, 3, len);
            } else {
                sealer.seal(nonce, aad, v, 3, len);
                jdk.seal(nonce, aad, j, 3, len);
            }
            assertEquals(j, v, "seal #" + i + ", counter " + counter + ", len " + len);
            if (rnd.nextInt(4) == 0) {
                int flip = 3 + rnd.nextInt(len + 16);
                v.put(flip, (byte) (v.get(flip) ^ 0x10));
                byte[] forged = bytes(v, 3, len + 16);
                int refused = aad == null ? opener.open(counter, v, 3, len + 16) : opener.open(nonce, aad, v, 3, len + 16);
                assertEquals(-1, refused, "forgery #" + i);
                assertArrayEquals(forged, bytes(v, 3, len + 16), "a refused message is left as it came");
            }
            int opened = aad == null ? opener.open(counter, j, 3, len + 16) : opener.open(nonce, aad, j, 3, len + 16);
            assertEquals(len, opened, "open #" + i + ", len " + len);
            assertArrayEquals(text, bytes(j, 3, len));
            counter++;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "inplace", "hybrid", "vector"})
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
