package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: every {@code valid/X.conf} parses with exactly the warnings in {@code X.warnings}
 * and writes exactly {@code X.canonical}; every {@code invalid/X.conf} is rejected with exactly the
 * problems in {@code X.errors} (file, line, column, found and expected).
 */
class CorpusTest {
    static final Path VALID = Path.of("src/test/resources/valid");
    static final Path INVALID = Path.of("src/test/resources/invalid");

    static Stream<Path> validFiles() throws IOException {
        return confs(VALID);
    }

    static Stream<Path> invalidFiles() throws IOException {
        return confs(INVALID);
    }

    private static Stream<Path> confs(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".conf")).sorted().toList().stream();
        }
    }

    static ParsedConfig parse(Path file) throws Exception {
        return ConfigParser.parse(file.getFileName().toString(), Files.readAllBytes(file), file.getParent());
    }

    private static Path sibling(Path conf, String ext) {
        return conf.resolveSibling(conf.getFileName().toString().replace(".conf", ext));
    }

    @ParameterizedTest
    @MethodSource("validFiles")
    void validFileParsesToItsCanonicalForm(Path file) throws Exception {
        ParsedConfig parsed = parse(file);
        List<String> warnings = parsed.warnings().stream().map(Problem::toString).toList();
        assertEquals(Files.readAllLines(sibling(file, ".warnings")), warnings);
        String canonical = ConfigWriter.write(parsed.config());
        assertEquals(Files.readString(sibling(file, ".canonical")), canonical);

        ParsedConfig again = ConfigParser.parse(file.getFileName().toString(), canonical, file.getParent());
        assertEquals(parsed.config(), again.config(), "parse(write(parse(f))) == parse(f)");
        assertEquals(canonical, ConfigWriter.write(again.config()), "the canonical form is a fixed point");
        assertTrue(again.warnings().stream().noneMatch(w -> w.message().contains("host bits")
                        || w.message().contains("duplicate")),
                "the canonical form has nothing left to canonicalize: " + again.warnings());
    }

    @ParameterizedTest
    @MethodSource("invalidFiles")
    void invalidFileIsRejectedWithEveryProblem(Path file) throws Exception {
        var e = assertThrows(ConfigException.class, () -> parse(file));
        List<String> problems = e.problems().stream().map(Problem::toString).toList();
        assertEquals(Files.readAllLines(sibling(file, ".errors")), problems);
        String name = file.getFileName().toString();
        for (Problem p : e.problems()) {
            assertEquals(name, p.file());
        }
        for (String line : problems) {
            assertTrue(e.getMessage().contains(line));
        }
        assertTrue(e.getMessage().endsWith(e.errors().size() + (e.errors().size() == 1 ? " error" : " errors")));
    }

    @Test
    void messyFileValues() throws Exception {
        Config c = parse(VALID.resolve("messy.conf")).config();
        assertEquals("messy", c.name());
        assertEquals(0x1f, c.iface().fwMark());
        assertEquals(0, c.iface().listenPort());
        assertEquals(4, c.iface().wgQuickSettings().size());
        assertEquals(2, c.peers().size());
        PeerConfig a = c.peers().get(0);
        assertEquals(List.of(IpPrefix.parse("10.10.0.2/32"), IpPrefix.parse("10.20.0.0/16"), IpPrefix.parse("fd00:10::2/128")),
                a.allowedIps(), "accumulated over two lines, duplicates folded, bare address is a /32 or /128");
        assertEquals(Optional.of(new Endpoint("fd00::1:2", 51820)), a.endpoint());
        assertEquals(0, a.persistentKeepalive());
        assertTrue(a.presharedKey().isPresent());
        PeerConfig b = c.peers().get(1);
        assertEquals("vpn.example.com", b.endpoint().orElseThrow().host());
        assertFalse(b.endpoint().orElseThrow().isLiteral());
        assertEquals(Setting.Transport.NIO, c.settings().transport());
        assertEquals(32, c.settings().batchSize());
        assertFalse(c.settings().gso());
        assertTrue(c.settings().gro());
        assertEquals(65536, c.settings().zeroCopyThreshold());
        assertEquals(Duration.ofMinutes(1), c.settings().statusInterval());
        assertEquals("127.0.0.1:9586", c.settings().metricsAddress().orElseThrow().toString());
        assertEquals(Optional.of(Path.of("/var/run/wireguard/messy.sock")), c.controlSocket());
    }

    @Test
    void defaultsWhenNoSwitchyardSection() throws Exception {
        Config c = parse(VALID.resolve("wg0.conf")).config();
        RouterSettings s = c.settings();
        assertEquals(RouterSettings.defaults(), s);
        assertEquals(Setting.Transport.AUTO, s.transport());
        assertEquals(64, s.batchSize());
        assertTrue(s.gso() && s.gro() && s.zeroCopy() && !s.connectedSockets());
        assertEquals(10240, s.zeroCopyThreshold());
        assertEquals(2, s.handshakeWorkers());
        assertEquals(0, s.routerThreads());
        assertEquals(1, s.routerThreads(3), "auto: one per four cores, at least one");
        assertEquals(4, s.routerThreads(16));
        assertEquals(Optional.empty(), s.metricsAddress());
        assertEquals(Duration.ofSeconds(10), s.statusInterval());
        assertEquals(Optional.of(Path.of("/var/run/wireguard/wg0.sock")), c.controlSocket());
        assertEquals(51820, c.iface().listenPort());
    }

    @Test
    void secretsNeverAppearInMessagesOrToString() throws Exception {
        var e = assertThrows(ConfigException.class, () -> parse(INVALID.resolve("private-key-not-echoed.conf")));
        assertFalse(e.getMessage().contains("super-secret"));
        Config c = parse(VALID.resolve("messy.conf")).config();
        String key = c.iface().privateKey().toBase64();
        String psk = c.peers().get(0).presharedKey().orElseThrow().toBase64();
        assertFalse(c.toString().contains(key));
        assertFalse(c.toString().contains(psk));
    }

    @Test
    void crlfAndBomAreAccepted() throws Exception {
        String text = Files.readString(VALID.resolve("wg0.conf")).replace("\n", "\r\n");
        byte[] utf8 = ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8);
        Config c = ConfigParser.parse("wg0.conf", utf8, VALID).config();
        assertEquals(parse(VALID.resolve("wg0.conf")).config(), c);
    }
}
