package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** parse(write(c)) == c for random configurations, and the canonical text is a fixed point. */
class RoundTripTest {

    @Test
    void randomConfigsSurviveWriteThenParse() throws Exception {
        var rnd = new Random(42);
        for (int i = 0; i < 500; i++) {
            Config c = RandomConfigs.config(rnd, rnd.nextInt(12));
            String text = ConfigWriter.write(c);
            ParsedConfig parsed;
            try {
                parsed = ConfigParser.parse(c.name() + ".conf", text, Path.of("."));
            } catch (ConfigException e) {
                throw new AssertionError("iteration " + i + ":\n" + text + "\n" + e.getMessage(), e);
            }
            assertEquals(c, parsed.config(), text);
            assertEquals(text, ConfigWriter.write(parsed.config()));
        }
    }

    @Test
    void manyPeersRoundTrip() throws Exception {
        var rnd = new Random(5);
        Config c = RandomConfigs.config(rnd, 5_000);
        String text = ConfigWriter.write(c);
        assertEquals(c, ConfigParser.parse(c.name() + ".conf", text, Path.of(".")).config(), text.substring(0, 200));
    }
}
