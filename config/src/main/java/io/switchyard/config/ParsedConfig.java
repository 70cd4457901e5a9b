package io.switchyard.config;

import java.util.List;
import java.util.Objects;

/**
 * A configuration that parsed and validated, with the warnings seen on the way (the warnings are
 * about the file, not part of the configuration's value).
 *
 * @param source the file name the problems refer to
 */
public record ParsedConfig(String source, Config config, List<Problem> warnings) {
    public ParsedConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(config, "config");
        warnings = List.copyOf(warnings);
    }
}
