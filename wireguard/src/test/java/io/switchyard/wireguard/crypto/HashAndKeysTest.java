package io.switchyard.wireguard.crypto;

import io.switchyard.wireguard.Keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HashAndKeysTest {
    /** RFC 7693 appendix B: BLAKE2s-256("abc"). */
    @Test
    void rfc7693Blake2s() {
        assertArrayEquals(Vectors.hex("508C5E8C327C14E2E1A72BA34EEB452F37458B209ED63A294D999B4C86675982"),
                Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII)));
        // Parts are concatenated: Hash(a || b) == Hash(ab).
        assertArrayEquals(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII)),
                Blake2s.hash("a".getBytes(StandardCharsets.US_ASCII), "bc".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * RFC 7693 appendix E, the BLAKE2s self-test: unkeyed and keyed hashes of the appendix's
     * Fibonacci sequences at output lengths 16, 20, 28, 32 and input lengths 0, 3, 64, 65, 255,
     * 1024, all fed into one BLAKE2s-256 whose result the RFC gives. The keyed 16-byte ones go
     * through {@link Blake2s#mac} itself (WireGuard's Mac), the others through the same keyed
     * function with their length.
     */
    @Test
    void rfc7693AppendixESelfTest() {
        int[] outLengths = {16, 20, 28, 32};
        int[] inLengths = {0, 3, 64, 65, 255, 1024};
        var all = new java.io.ByteArrayOutputStream();
        for (int outLength : outLengths) {
            for (int inLength : inLengths) {
                byte[] in = selftestSequence(inLength, inLength);
                all.writeBytes(Blake2s.keyed(null, outLength, in, 0, in.length));
                byte[] key = selftestSequence(outLength, outLength);
                all.writeBytes(outLength == Blake2s.MAC_SIZE
                        ? Blake2s.mac(key, in, 0, in.length)
                        : Blake2s.keyed(key, outLength, in, 0, in.length));
            }
        }
        assertArrayEquals(Vectors.hex("6A411F08CE25ADCDFB02ABA641451CEC53C598B24F4FC787FBDC88797F4C1DFE"),
                Blake2s.hash(all.toByteArray()));
    }

    /** RFC 7693 appendix E's {@code selftest_seq}: a Fibonacci generator seeded by {@code seed}. */
    private static byte[] selftestSequence(int length, int seed) {
        byte[] out = new byte[length];
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        for (int i = 0; i < length; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
        return out;
    }

    /**
     * The BLAKE2 reference keyed KAT (blake2s-kat.txt): key 00..1f, input 00..(n-1), 32-byte
     * output, through our keyed BLAKE2s; the lengths straddle the 64-byte block.
     */
    @Test
    void keyedBlake2sReferenceVectors() {
        byte[] key = Vectors.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        Object[][] vectors = {
            {0, "48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49"},
            {1, "40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1"},
            {2, "6bb71300644cd3991b26ccd4d274acd1adeab8b1d7914546c1198bbe9fc9d803"},
            {3, "1d220dbe2ee134661fdf6d9e74b41704710556f2f6e5a091b227697445dbea6b"},
            {63, "c65382513f07460da39833cb666c5ed82e61b9e998f4b0c4287cee56c3cc9bcd"},
            {64, "8975b0577fd35566d750b362b0897a26c399136df07bababbde6203ff2954ed4"},
            {65, "21fe0ceb0052be7fb0f004187cacd7de67fa6eb0938d927677f2398c132317a8"},
            {127, "ddbfea75cc467882eb3483ce5e2e756a4f4701b76b445519e89f22d60fa86e06"},
        };
        byte[] input = new byte[256];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) i;
        }
        for (Object[] v : vectors) {
            int n = (Integer) v[0];
            // At an offset, so the (data, off, len) slicing is exercised too.
            byte[] shifted = new byte[n + 5];
            System.arraycopy(input, 0, shifted, 5, n);
            assertArrayEquals(Vectors.hex((String) v[1]), Blake2s.keyed(key, 32, shifted, 5, n), "length " + n);
        }
        // WireGuard's Mac is the 16-byte-output hash, a different function from a 32-byte prefix.
        byte[] mac = Blake2s.mac(key, new byte[0], 0, 0);
        assertEquals(16, mac.length);
        assertFalse(Arrays.equals(Arrays.copyOf(Vectors.hex((String) vectors[0][1]), 16), mac));
    }

    /**
     * HMAC-BLAKE2s-256 vectors of the Linux kernel's BLAKE2s self-test (lib/crypto/blake2s-selftest.c
     * of the 5.x kernels, generated with OpenSSL's HMAC over EVP_blake2s256): the key is the
     * 32-byte Fibonacci sequence 1, 1, 2, 3, ... (mod 256) and the message the 256 bytes 00..ff;
     * the second vector swaps them, so the key is longer than a block and is hashed first.
     */
    @Test
    void hmacBlake2sKernelVectors() {
        byte[] fib = new byte[32];
        fib[0] = fib[1] = 1;
        for (int i = 2; i < fib.length; i++) {
            fib[i] = (byte) (fib[i - 2] + fib[i - 1]);
        }
        byte[] buf = new byte[256];
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) i;
        }
        assertArrayEquals(Vectors.hex("cee1576982dcbf43ad564c70ed681696cfa473e8e8fc3279080a7582da3f0511"),
                Blake2s.hmac(fib, buf));
        assertArrayEquals(Vectors.hex("772f0c7141f44b2bb3c6b6f960dee4523866e8bf9b96c49f60d9243799d6ec31"),
                Blake2s.hmac(buf, fib));
    }

    /** HMAC built on BLAKE2s agrees with a hand-rolled RFC 2104 over the raw hash. */
    @Test
    void hmacIsRfc2104OverBlake2s() {
        byte[] key = "key".getBytes(StandardCharsets.US_ASCII);
        byte[] msg = "The quick brown fox".getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[64];
        System.arraycopy(key, 0, k, 0, key.length);
        byte[] ipad = new byte[64];
        byte[] opad = new byte[64];
        for (int i = 0; i < 64; i++) {
            ipad[i] = (byte) (k[i] ^ 0x36);
            opad[i] = (byte) (k[i] ^ 0x5c);
        }
        assertArrayEquals(Blake2s.hash(opad, Blake2s.hash(ipad, msg)), Blake2s.hmac(key, msg));
        byte[][] t = Blake2s.kdf(3, key, msg);
        byte[] t0 = Blake2s.hmac(key, msg);
        assertArrayEquals(Blake2s.hmac(t0, new byte[] {1}), t[0]);
        assertArrayEquals(Blake2s.hmac(t0, t[0], new byte[] {2}), t[1]);
        assertArrayEquals(Blake2s.hmac(t0, t[1], new byte[] {3}), t[2]);
    }

    /** Kdf vectors generated with wireguard-go (as published in a Rust WireGuard implementation's tests). */
    @Test
    void kdfMatchesWireguardGo() {
        String[][] vectors = {
            {"", "", "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
                "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
                "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"},
            {"deadbeef", "", "55329dc80e690fd86bd9661f0851c9b3686df2b1fda0347bc3d27958254b32c6",
                "8dfc6d33a8118ffe408b31ddac25f72aee9115a45b69ba176ad012b243834fee",
                "d69e852a2896569ea54a67969aa1800287921dac53ce6db4b4e12192f263c4c4"},
        };
        for (String[] v : vectors) {
            byte[][] t = Blake2s.kdf(3, Vectors.hex(v[0]), Vectors.hex(v[1]));
            assertArrayEquals(Vectors.hex(v[2]), t[0]);
            assertArrayEquals(Vectors.hex(v[3]), t[1]);
            assertArrayEquals(Vectors.hex(v[4]), t[2]);
            assertArrayEquals(Vectors.hex(v[2]), Blake2s.kdf(1, Vectors.hex(v[0]), Vectors.hex(v[1]))[0]);
        }
    }

    @Test
    void keyTextIsWhatWgPrints() {
        byte[] priv = Vectors.hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        String text = Keys.toBase64(priv);
        assertEquals("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=", text);
        assertArrayEquals(priv, Keys.fromBase64(text));
        assertEquals("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", Keys.toBase64(Keys.publicKey(priv)));
        byte[] generated = Keys.generatePrivateKey();
        assertEquals(0, generated[0] & 7);
        assertEquals(64, generated[31] & 0xc0);
        assertEquals(44, Keys.toBase64(generated).length());
    }

    @Test
    void badKeyTextIsRefusedWithReason() {
        String good = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
        for (String bad : new String[] {"", good.substring(1), good + "=", good.replace('=', 'A'),
                good.replace('+', '-').replace('t', '_'), " " + good.substring(1), "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp="}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Keys.fromBase64(bad), bad);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("WireGuard key"), e.getMessage());
        }
    }
}
