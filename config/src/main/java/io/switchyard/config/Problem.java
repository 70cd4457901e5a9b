package io.switchyard.config;

import java.util.Objects;

/**
 * One diagnostic about a configuration file, positioned like a compiler message.
 *
 * <p>{@code line} and {@code column} are 1-based; 0 means "the whole file" (for the line) or "the
 * whole line" (for the column), e.g. for a file that cannot be read or a section that misses a
 * required key. {@link #toString()} prints {@code file:line:column: severity: message}, the shape
 * editors and CI logs already know how to link.
 */
public record Problem(String file, int line, int column, Severity severity, String message) {

    /** How bad a problem is: errors reject the file, warnings are reported and the file is used. */
    public enum Severity {
        ERROR,
        WARNING;

        String label() {
            return this == ERROR ? "error" : "warning";
        }
    }

    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("negative position " + line + ":" + column);
        }
    }

    static Problem error(String file, int line, int column, String message) {
        return new Problem(file, line, column, Severity.ERROR, message);
    }

    static Problem warning(String file, int line, int column, String message) {
        return new Problem(file, line, column, Severity.WARNING, message);
    }

    /** True for {@link Severity#ERROR}. */
    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        var sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.append(": ").append(severity.label()).append(": ").append(message).toString();
    }
}
