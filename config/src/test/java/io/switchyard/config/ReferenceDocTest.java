package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/config.md documents every [Switchyard] key with the default the code uses. */
class ReferenceDocTest {
    @Test
    void everySettingIsDocumentedWithItsDefault() throws Exception {
        String doc = Files.readString(Path.of("../docs/config.md"));
        for (Setting s : Setting.values()) {
            String row = "| `" + s.key() + "` |";
            int at = doc.indexOf(row);
            assertTrue(at >= 0, s.key() + " is missing from docs/config.md");
            String line = doc.substring(at, doc.indexOf('\n', at));
            assertTrue(line.contains("| `" + s.defaultText() + "` |"), s.key() + " default " + s.defaultText() + ": " + line);
            assertTrue(line.endsWith(s.requiresRestart() ? "| restart |" : "| live |"), line);
        }
    }
}
