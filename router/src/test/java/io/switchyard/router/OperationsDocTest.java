package io.switchyard.router;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/operations.md lists every drop reason under its id and names every hub-wide metric. */
class OperationsDocTest {
    private static final String DOC = "../docs/operations.md";

    @Test
    void everyDropReasonHasItsRowWithItsId() throws Exception {
        String doc = Files.readString(Path.of(DOC));
        for (DropReason r : DropReason.values()) {
            String row = "| " + r.id() + " | `" + r.name().toLowerCase(java.util.Locale.ROOT) + "` |";
            assertTrue(doc.contains(row), "docs/operations.md lacks the row " + row);
        }
    }

    @Test
    void everyHubMetricIsNamed() throws Exception {
        String doc = Files.readString(Path.of(DOC));
        for (HubMetric m : HubMetric.values()) {
            assertTrue(doc.contains("`" + m.metricName() + "`"), "docs/operations.md never names " + m.metricName());
        }
    }
}
