package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The parser may only answer with a config or a {@link ConfigException}: never another exception,
 * never a hang. Inputs: random bytes, random text from the config alphabet, and random mutations
 * (byte flips, deletions, duplications, splices of config tokens) of the valid corpus and of
 * random canonical configs.
 */
class ParserFuzzTest {
    private static final String[] TOKENS = {
        "[Interface]", "[Peer]", "[Switchyard]", "[", "]", "=", ",", "#", "\n", "\r\n", " ", "\t", "/", ":", "[::",
        "PrivateKey", "PublicKey", "AllowedIPs", "Endpoint", "ListenPort", "FwMark", "PersistentKeepalive",
        "PresharedKey", "PrivateKeyFile", "BatchSize", "GSO", "StatusInterval", "ZeroCopyThreshold", "off", "0x",
        "65535", "65536", "4294967296", "::ffff:1.2.3.4", "1.2.3.4", "/128", "/33", "999999999999999999999",
        "0.0.0.0/0", "fe80::%", "\u0000", "\uFFFD", "\u00e9", "=\n=", "[Peer]\nPublicKey=", "K0000000000000000000000000000000000000000000=",
    };

    /** Parses; whatever parses must also survive write then parse unchanged. */
    private static boolean parseQuietly(byte[] input) {
        Path base = Path.of("src/test/resources/valid");
        try {
            Config c = ConfigParser.parse("fuzz.conf", input, base).config();
            String text = ConfigWriter.write(c);
            assertEquals(c, ConfigParser.parse("fuzz.conf", text, base).config(), text);
            return true;
        } catch (ConfigException e) {
            // the one allowed failure; it must describe itself
            assertFalse(e.problems().isEmpty());
            assertTrue(e.getMessage().contains("error"));
            return false;
        } catch (RuntimeException e) {
            throw new AssertionError("input " + ConfigParser.quote(new String(input, StandardCharsets.UTF_8)), e);
        }
    }

    @Test
    void randomBytes() {
        var rnd = new Random(1);
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            for (int i = 0; i < 3_000; i++) {
                byte[] b = new byte[rnd.nextInt(2_000)];
                rnd.nextBytes(b);
                parseQuietly(b);
            }
        });
    }

    @Test
    void randomTokenSoup() {
        var rnd = new Random(2);
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            for (int i = 0; i < 5_000; i++) {
                var sb = new StringBuilder();
                int n = rnd.nextInt(60);
                for (int j = 0; j < n; j++) {
                    sb.append(TOKENS[rnd.nextInt(TOKENS.length)]);
                }
                parseQuietly(sb.toString().getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    @Test
    void mutationsOfValidFiles() throws Exception {
        var seeds = new ArrayList<byte[]>();
        try (var files = Files.list(CorpusTest.VALID)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
                seeds.add(Files.readAllBytes(p));
            }
        }
        var rnd = new Random(3);
        for (int i = 0; i < 20; i++) {
            seeds.add(ConfigWriter.write(RandomConfigs.config(rnd, 3)).getBytes(StandardCharsets.UTF_8));
        }
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            int parsed = 0;
            for (int i = 0; i < 10_000; i++) {
                byte[] m = mutate(seeds.get(rnd.nextInt(seeds.size())), rnd);
                parsed += parseQuietly(m) ? 1 : 0;
            }
            // enough mutants must survive for the write-then-parse check to mean something
            assertTrue(parsed > 200, "only " + parsed + " mutants parsed");
        });
    }

    static byte[] mutate(byte[] seed, Random rnd) {
        List<Byte> b = new ArrayList<>(seed.length + 64);
        for (byte x : seed) {
            b.add(x);
        }
        int edits = 1 + rnd.nextInt(6);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int at = rnd.nextInt(b.size());
            switch (rnd.nextInt(5)) {
                case 0 -> b.set(at, (byte) (b.get(at) ^ (1 << rnd.nextInt(8))));
                case 1 -> b.remove(at);
                case 2 -> {
                    int len = Math.min(b.size() - at, rnd.nextInt(40));
                    b.addAll(rnd.nextInt(b.size()), new ArrayList<>(b.subList(at, at + len)));
                }
                case 3 -> {
                    byte[] t = TOKENS[rnd.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                    for (int k = t.length - 1; k >= 0; k--) {
                        b.add(at, t[k]);
                    }
                }
                default -> b.set(at, (byte) rnd.nextInt(256));
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    @Test
    void hugeLineAndManyProblemsStayBounded() {
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> {
            String longLine = "[Interface]\nPrivateKey = " + "A".repeat(1_000_000) + "\n";
            assertFalse(parseQuietly(longLine.getBytes(StandardCharsets.UTF_8)), "a megabyte key is refused");
            String manyErrors = "[Interface]\n" + "Bogus = 1\n".repeat(50_000);
            try {
                ConfigParser.parse("many.conf", manyErrors, Path.of("."));
                fail("50,000 unknown keys and no private key parsed without an error");
            } catch (ConfigException e) {
                assertTrue(e.problems().size() <= ConfigParser.MAX_PROBLEMS + 1, "capped: " + e.problems().size());
                assertTrue(e.getMessage().contains("too many problems"), e.getMessage());
            }
        });
    }
}
