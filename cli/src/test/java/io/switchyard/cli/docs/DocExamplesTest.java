package io.switchyard.cli.docs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The code examples of docs/ are tests: each block a test marks with
 * {@code // --- docs/FILE.md: NAME ---} ... {@code // --- end ---} must appear, line for line
 * (indentation aside), in a {@code java} fence of that page. So an example that no longer
 * compiles fails its test, and one edited in the test but not in the page fails here.
 */
class DocExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern MARKED = Pattern.compile(
            "// --- (docs/[\\w.-]+\\.md): ([^\\n]*?) ---\\n(.*?)\\n\\s*// --- end ---", Pattern.DOTALL);

    record Example(Path source, String doc, String name, String code) {}

    static List<Example> examples() throws IOException {
        List<Example> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/test/java/")
                    && !p.toString().contains("/target/")).toList()) {
                Matcher m = MARKED.matcher(Files.readString(f));
                while (m.find()) {
                    out.add(new Example(f, m.group(1), m.group(2), m.group(3)));
                }
            }
        }
        return out;
    }

    private static String normalized(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @Test
    void everyMarkedExampleIsInItsPageVerbatim() throws IOException {
        List<Example> examples = examples();
        assertFalse(examples.isEmpty(), "no marked examples found under " + ROOT);
        assertTrue(examples.stream().anyMatch(e -> e.name().equals("hub")), "the hub example is marked");
        for (Example e : examples) {
            String page = Files.readString(ROOT.resolve(e.doc()));
            Matcher fence = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(page);
            boolean found = false;
            String want = normalized(e.code());
            while (fence.find() && !found) {
                found = normalized(fence.group(1)).contains(want);
            }
            assertTrue(found, "the \"" + e.name() + "\" example of " + ROOT.relativize(e.source()) + " is not in "
                    + e.doc() + " as it stands in the test:\n" + e.code());
        }
    }
}
