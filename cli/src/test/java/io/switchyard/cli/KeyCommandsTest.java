package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyCommandsTest {
    // RFC 7748 section 6.1: Alice's private and public keys.
    private static final String ALICE_PRIVATE = b64("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    private static final String ALICE_PUBLIC = b64("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");

    private static String b64(String hex) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    }

    private record Run(int rc, String out, String err) {}

    private static Run pubkey(String input) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int rc = KeyCommands.pubkey(new ByteArrayInputStream(input.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void pubkeyMatchesRfc7748() throws Exception {
        Run r = pubkey(ALICE_PRIVATE + "\n");
        assertEquals(0, r.rc(), r.err());
        assertEquals(ALICE_PUBLIC + "\n", r.out().replace(System.lineSeparator(), "\n"));
    }

    @Test
    void pubkeyRefusesGarbageWithAReason() throws Exception {
        for (String bad : new String[] {"", "hello\n", ALICE_PRIVATE.substring(1) + "\n", "x".repeat(5000)}) {
            Run r = pubkey(bad);
            assertEquals(1, r.rc(), bad);
            assertTrue(r.err().startsWith("switchyard pubkey: "), r.err());
            assertEquals("", r.out());
        }
    }

    /** The real {@code wg} and we agree on a fresh key, when wireguard-tools is installed. */
    @Test
    void agreesWithWgWhenInstalled() throws Exception {
        Path wg = Path.of("/usr/bin/wg");
        Prerequisites.require(Files.isExecutable(wg), "wireguard-tools not installed");
        String priv = new String(new ProcessBuilder(wg.toString(), "genkey").start().getInputStream().readAllBytes(),
                StandardCharsets.US_ASCII);
        Process p = new ProcessBuilder(wg.toString(), "pubkey").start();
        try (var in = p.getOutputStream()) {
            in.write(priv.getBytes(StandardCharsets.US_ASCII));
        }
        String theirs = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor());
        assertEquals(theirs, pubkey(priv).out().replace(System.lineSeparator(), "\n"));
    }
}
