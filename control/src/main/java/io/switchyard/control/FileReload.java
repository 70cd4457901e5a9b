package io.switchyard.control;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import io.switchyard.config.ConfigException;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.ParsedConfig;
import io.switchyard.config.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code switchyard reload} for a hub started from a file: read and validate the whole file,
 * then apply it in one step, and say what happened in words an operator can act on. A file with
 * any error is refused whole (every problem listed, running configuration untouched); warnings
 * are listed with the summary. Changes that only take effect on restart
 * ({@link ConfigDiff#restartReasons()}) are named in the summary; whether the hub refuses them is
 * the hub's {@code apply} decision.
 */
public final class FileReload {
    private FileReload() {}

    /**
     * Reloads {@code file} into a hub whose running configuration is {@code running}.
     *
     * @param apply the hub's apply; an {@link IllegalArgumentException} from it is a refusal
     * @return the summary, e.g. {@code "wg0.conf: 1 peer added, 0 removed, 2 changed, 40 unchanged"}
     * @throws UapiException EINVAL with every problem of a bad file or the hub's refusal
     */
    public static String reload(Path file, Config running, Consumer<Config> apply) throws UapiException {
        ParsedConfig parsed;
        try {
            parsed = ConfigParser.parse(file);
        } catch (ConfigException e) {
            throw new UapiException(UapiException.EINVAL, e.getMessage() + "\nthe running configuration is unchanged", e);
        }
        Config next = parsed.config();
        if (!next.name().equals(running.name())) {
            // the interface name comes from the file name: a renamed file is another interface
            throw new UapiException(UapiException.EINVAL, file + " configures interface " + next.name()
                    + ", not the running " + running.name());
        }
        ConfigDiff diff = ConfigDiff.between(running, next);
        List<String> lines = new ArrayList<>();
        for (Problem w : parsed.warnings()) {
            lines.add(w.toString());
        }
        if (diff.isEmpty()) {
            lines.add(file.getFileName() + ": no change (" + diff.unchanged() + " peers)");
            return String.join("\n", lines);
        }
        try {
            apply.accept(next);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new UapiException(UapiException.EINVAL, "the hub refused " + file + ": " + e.getMessage()
                    + "\nthe running configuration is unchanged", e);
        }
        lines.add(file.getFileName() + ": " + plural(diff.added().size(), "peer") + " added, "
                + diff.removed().size() + " removed, " + diff.changed().size() + " changed, "
                + diff.unchanged() + " unchanged");
        for (String reason : diff.restartReasons()) {
            lines.add("needs a restart to take effect: " + reason);
        }
        return String.join("\n", lines);
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
