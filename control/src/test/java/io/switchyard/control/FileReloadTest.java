package io.switchyard.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigWriter;
import io.switchyard.config.Key32;
import io.switchyard.control.testing.MemoryTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload through the control socket, end to end: file on disk, server, client. */
class FileReloadTest {
    private final Key32 priv = MemoryTarget.newPrivateKey();
    private final Key32 a = MemoryTarget.randomPublic();
    private final Key32 b = MemoryTarget.randomPublic();

    @Test
    void reloadAppliesTheFileAndReportsTheDiff(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rl0.conf");
        Config initial = MemoryTarget.config("rl0", priv, List.of(MemoryTarget.peer(a, "10.0.0.2/32")));
        ConfigWriter.write(initial, file);
        MemoryTarget t = new MemoryTarget(initial);
        t.reloader = () -> FileReload.reload(file, t.config(), t::apply);
        try (ControlServer s = ControlServer.start(dir.resolve("rl0.sock"), t)) {
            UapiClient.Reply same = UapiClient.request(s.path(), "switchyard-reload=1\n\n");
            assertEquals(0, same.errno());
            assertEquals("rl0.conf: no change (1 peers)", same.message());
            assertEquals(0, t.applies.get());

            Config next = MemoryTarget.config("rl0", priv, List.of(MemoryTarget.peer(a, "10.0.0.3/32"),
                    MemoryTarget.peer(b, "10.0.1.0/24")));
            ConfigWriter.write(next, file);
            UapiClient.Reply r = UapiClient.request(s.path(), "switchyard-reload=1\n\n");
            assertEquals(0, r.errno(), r.message());
            assertEquals("rl0.conf: 1 peer added, 0 removed, 1 changed, 0 unchanged", r.message());
            assertEquals(next, t.config());

            Files.writeString(file, "[Interface]\nListenPort = 70000\n");
            UapiClient.Reply bad = UapiClient.request(s.path(), "switchyard-reload=1\n\n");
            assertEquals(-UapiException.EINVAL, bad.errno());
            assertTrue(bad.message().contains("rl0.conf:2:14: error: ListenPort"), bad.message());
            assertTrue(bad.message().contains("PrivateKey"), "every problem is listed: " + bad.message());
            assertTrue(bad.message().endsWith("the running configuration is unchanged"), bad.message());
            assertEquals(next, t.config());
        }
    }

    @Test
    void warningsAndRestartReasonsAreListed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rl1.conf");
        Config initial = MemoryTarget.config("rl1", priv, List.of());
        MemoryTarget t = new MemoryTarget(initial);
        Files.writeString(file, "[Interface]\nPrivateKey = " + priv.toBase64() + "\nListenPort = 5000\nDNS = 10.0.0.1\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String summary = FileReload.reload(file, initial, t::apply);
        assertTrue(summary.contains("DNS is only used by wg-quick"), summary);
        assertTrue(summary.contains("needs a restart to take effect: [Interface] ListenPort changed"), summary);
    }

    @Test
    void aHubRefusalIsAnErrorAndAnotherInterfacesFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rl2.conf");
        Config initial = MemoryTarget.config("rl2", priv, List.of());
        ConfigWriter.write(MemoryTarget.config("rl2", priv, List.of(MemoryTarget.peer(a, "10.0.0.2/32"))), file);
        UapiException e = assertThrows(UapiException.class, () -> FileReload.reload(file, initial, c -> {
            throw new IllegalArgumentException("too many peers");
        }));
        assertTrue(e.getMessage().contains("too many peers"), e.getMessage());
        Path other = dir.resolve("other.conf");
        ConfigWriter.write(MemoryTarget.config("other", priv, List.of()), other);
        e = assertThrows(UapiException.class, () -> FileReload.reload(other, initial, c -> {}));
        assertTrue(e.getMessage().contains("interface other"), e.getMessage());
    }
}
