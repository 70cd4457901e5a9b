package io.switchyard.control.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A strict reader of the Prometheus text format for tests, and lookups in what it read. */
public final class PrometheusParser {
    private PrometheusParser() {}

    /** One parsed sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /**
     * A strict reader of the text format: HELP and TYPE once per family and before its samples,
     * families not interleaved, counters named *_total, label values unescaped.
     */
    public static List<Sample> parse(String text) {
        assertTrue(text.endsWith("\n"), "ends with a line feed");
        var samples = new java.util.ArrayList<Sample>();
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> finished = new HashSet<>();
        String current = null;
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ", 4);
                String fam = parts[2];
                assertTrue(NAME.matcher(fam).matches(), line);
                if (!fam.equals(current)) {
                    if (current != null) {
                        finished.add(current);
                    }
                    assertFalse(finished.contains(fam), "family " + fam + " interleaved");
                    current = fam;
                }
                if (line.startsWith("# HELP ")) {
                    assertTrue(helped.add(fam), "two HELP for " + fam);
                    assertNull(types.get(fam), "HELP after TYPE for " + fam);
                    String help = parts.length > 3 ? parts[3] : "";
                    assertFalse(help.matches(".*(?<!\\\\)\\\\[^\\\\n].*"), "bad escape in HELP: " + line);
                } else {
                    assertNull(types.put(fam, parts[3]), "two TYPE for " + fam);
                    assertTrue(Set.of("counter", "gauge").contains(parts[3]), line);
                    if (parts[3].equals("counter")) {
                        assertTrue(fam.endsWith("_total"), "counter " + fam + " ends in _total");
                    }
                }
                continue;
            }
            assertFalse(line.startsWith("#") || line.isEmpty(), "unexpected line: " + line);
            Sample s = parseSample(line);
            assertEquals(current, s.name(), "sample outside its family: " + line);
            assertTrue(types.containsKey(s.name()), "no TYPE before " + line);
            samples.add(s);
        }
        return samples;
    }

    private static Sample parseSample(String line) {
        Matcher m = NAME.matcher(line);
        assertTrue(m.lookingAt(), line);
        String name = m.group();
        int i = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                Matcher ln = LABEL_NAME.matcher(line).region(i, line.length());
                assertTrue(ln.lookingAt(), line);
                i = ln.end();
                assertEquals('=', line.charAt(i++), line);
                assertEquals('"', line.charAt(i++), line);
                StringBuilder v = new StringBuilder();
                while (line.charAt(i) != '"') {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        char e = line.charAt(i++);
                        v.append(switch (e) {
                            case '\\' -> '\\';
                            case '"' -> '"';
                            case 'n' -> '\n';
                            default -> throw new AssertionError("bad escape \\" + e + " in " + line);
                        });
                    } else {
                        v.append(c);
                    }
                }
                i++;
                assertNull(labels.put(ln.group(), v.toString()), "duplicate label in " + line);
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        assertEquals(' ', line.charAt(i), line);
        return new Sample(name, labels, Double.parseDouble(line.substring(i + 1)));
    }

    public static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + labels));
    }
}
