package io.switchyard.cli.embedding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedding program as a user writes it, compiled and run on the module path against the
 * built modules: it needs nothing but {@code requires io.switchyard.router}; it starts a hub,
 * adds a peer, reads the stats and stops it. It must not see the hub's internals, and a hub
 * embedded this way must not drag in the CLI (picocli) or the metrics server (jdk.httpserver).
 */
class ModulePathEmbeddingTest {
    private static final String MODULE_INFO = """
            module embed.example {
                requires io.switchyard.router;
            }
            """;

    private static final String MAIN = """
            package embed.example;

            import io.switchyard.config.ConfigParser;
            import io.switchyard.config.IpPrefix;
            import io.switchyard.config.Key32;
            import io.switchyard.config.PeerConfig;
            import io.switchyard.router.Hub;
            import io.switchyard.router.HubStats;
            import io.switchyard.wireguard.Keys;
            import java.nio.file.Path;
            import java.util.List;

            public class Main {
                public static void main(String[] args) throws Exception {
                    Key32 key = Key32.of(Keys.generatePrivateKey());
                    var config = ConfigParser.parse("embedded.conf",
                            "[Interface]\\nPrivateKey = " + key.toBase64() + "\\nListenPort = 0\\n"
                            + "[Switchyard]\\nControlSocket = off\\n", Path.of(".")).config();
                    try (Hub hub = Hub.start(config)) {
                        Key32 peer = Key32.of(Keys.publicKey(Keys.generatePrivateKey()));
                        hub.addPeer(PeerConfig.of(peer, List.of(IpPrefix.parse("10.0.0.2/32"))));
                        HubStats s = hub.stats();
                        System.out.println("port " + hub.localAddress().getPort() + " peers " + s.peers().size()
                                + " metrics " + s.metrics().size());
                    }
                    ModuleLayer boot = ModuleLayer.boot();
                    System.out.println("picocli " + boot.findModule("info.picocli").isPresent());
                    System.out.println("httpserver " + boot.findModule("jdk.httpserver").isPresent());
                    System.out.println("hub exported " + boot.findModule("io.switchyard.router").orElseThrow()
                            .isExported("io.switchyard.router.hub"));
                }
            }
            """;

    private static final String PEEKING = """
            package embed.example;

            public class Peek {
                io.switchyard.router.hub.HubCore core;
                io.switchyard.wireguard.peer.PeerEngine engine;
            }
            """;

    /** The built modules and their dependencies, from this test's class path (jars or class directories). */
    private static String modulePath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = Path.of(e).getFileName().toString();
            boolean test = e.contains("test-classes") || n.endsWith("-tests.jar") || n.startsWith("junit")
                    || n.startsWith("opentest4j") || n.startsWith("apiguardian") || n.contains("surefire");
            if (!test && !e.endsWith("cli/target/classes")) {
                out.add(e);
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static int compile(Path src, Path out, ByteArrayOutputStream err, String... files) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // An empty class path: in-process javac would otherwise default to this JVM's, where the modules are too.
        Path empty = Files.createDirectories(out.resolveSibling("empty"));
        List<String> args = new ArrayList<>(List.of("--module-path", modulePath(), "-cp", empty.toString(),
                "-d", out.toString()));
        for (String f : files) {
            args.add(src.resolve(f).toString());
        }
        return javac.run(null, err, err, args.toArray(String[]::new));
    }

    @Test
    void anEmbeddingProgramRunsOnTheModulePathWithOnlyThePublicApi(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("embed/example"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("embed/example/Main.java"), MAIN);
        Path out = dir.resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, compile(src, out, err, "module-info.java", "embed/example/Main.java"), err.toString());

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=io.switchyard.io", "--module-path",
                out + File.pathSeparator + modulePath(), "-m", "embed.example/embed.example.Main")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "hang guard: " + text);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.matches("(?s).*port \\d+ peers 1 metrics \\d+.*"), text);
        assertTrue(text.contains("picocli false"), "an embedder does not get the CLI: " + text);
        assertTrue(text.contains("httpserver false"), "nor the metrics server: " + text);
        assertTrue(text.contains("hub exported false"), text);
    }

    @Test
    void theHubsInternalsAreNotVisibleToAnEmbedder(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("embed/example"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("embed/example/Peek.java"), PEEKING);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = compile(src, dir.resolve("out"), err, "module-info.java", "embed/example/Peek.java");
        String text = err.toString(StandardCharsets.UTF_8);
        assertFalse(rc == 0, "compiled against internals");
        assertTrue(text.contains("package io.switchyard.router.hub is not visible"), text);
        assertTrue(text.contains("does not export"), text);
        assertTrue(text.contains("package io.switchyard.wireguard.peer is not visible"), text);
    }
}
