package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets from files: resolution, permission warnings, errors that never echo the secret. */
class KeyFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String content, String mode) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private static List<String> warnings(ParsedConfig p) {
        return p.warnings().stream().map(Problem::toString).toList();
    }

    @Test
    void keyFilesResolveAgainstTheConfigDirectory() throws Exception {
        write("private.key", "  " + ConfigDiffTest.P + "\n", "rw-------");
        Files.createDirectories(dir.resolve("psk"));
        write("psk/a.psk", ConfigDiffTest.S + "\n", "r--------");
        Path conf = write("hub.conf", """
                [Interface]
                PrivateKeyFile = private.key
                [Peer]
                PublicKey = %s
                PresharedKeyFile = psk/a.psk
                AllowedIPs = 10.0.0.2
                """.formatted(ConfigDiffTest.A), "rw-r--r--");
        ParsedConfig parsed = ConfigParser.parse(conf);
        assertEquals(List.of(), warnings(parsed), "no inline secret, so a readable config file is fine");
        Config c = parsed.config();
        assertEquals("hub", c.name());
        assertEquals(Key32.fromBase64(ConfigDiffTest.P), c.iface().privateKey());
        assertEquals(Optional.of(Path.of("private.key")), c.iface().privateKeyFile());
        PeerConfig peer = c.peers().getFirst();
        assertEquals(Optional.of(Key32.fromBase64(ConfigDiffTest.S)), peer.presharedKey());

        String text = ConfigWriter.write(c);
        assertTrue(text.contains("PrivateKeyFile = private.key\n"), text);
        assertTrue(text.contains("PresharedKeyFile = psk/a.psk\n"), text);
        assertFalse(text.contains(ConfigDiffTest.P) || text.contains(ConfigDiffTest.S), "references, not secrets");
        assertEquals(c, ConfigParser.parse("hub.conf", text, dir).config());

        Path written = dir.resolve("out.conf");
        ConfigWriter.write(c, written);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertEquals(c.peers(), ConfigParser.parse(written).config().peers());
    }

    @Test
    void readableKeyFileWarns() throws Exception {
        Path key = write("private.key", ConfigDiffTest.P, "rw-r--r--");
        Path conf = write("wg0.conf", "[Interface]\nPrivateKeyFile = " + key + "\n", "rw-------");
        assertEquals(List.of(conf + ":2:18: warning: PrivateKeyFile: " + key
                + " is readable by group or others (rw-r--r--); chmod 600 it"), warnings(ConfigParser.parse(conf)));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(1, ConfigParser.parse(conf).warnings().size(), "group-readable counts too");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw--w----"));
        assertEquals(0, ConfigParser.parse(conf).warnings().size(), "only read access matters");
    }

    @Test
    void configWithInlineSecretReadableByOthersWarns() throws Exception {
        Path conf = write("wg0.conf", "[Interface]\nPrivateKey = " + ConfigDiffTest.P + "\n", "rw-rw-r--");
        assertEquals(List.of(conf + ": warning: holds a secret key and is readable by group or others (rw-rw-r--); chmod 600 it"),
                warnings(ConfigParser.parse(conf)));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        assertEquals(List.of(), warnings(ConfigParser.parse(conf)));
    }

    @Test
    void badKeyFileIsAnErrorThatDoesNotEchoIt() throws Exception {
        write("bad.key", "not-a-key-but-secret-looking\n", "rw-------");
        Path conf = write("wg0.conf", "[Interface]\nPrivateKeyFile = bad.key\n", "rw-------");
        var e = assertThrows(ConfigException.class, () -> ConfigParser.parse(conf));
        assertEquals(List.of(conf + ":2:18: error: PrivateKeyFile: " + dir.resolve("bad.key")
                + " holds 28 characters (not shown, it is a secret), expected a 32-byte key in base64 (44 characters ending in '=')"),
                e.problems().stream().map(Problem::toString).toList());
        assertFalse(e.getMessage().contains("secret-looking"));
    }

    @Test
    void unreadableOrMissingConfigFile() throws Exception {
        var e = assertThrows(ConfigException.class, () -> ConfigParser.parse(dir.resolve("nope.conf")));
        assertEquals(dir.resolve("nope.conf") + ": error: no such file", e.problems().getFirst().toString());
        var d = assertThrows(ConfigException.class, () -> ConfigParser.parse(dir));
        assertTrue(d.getMessage().contains("cannot read"), d.getMessage());
    }
}
