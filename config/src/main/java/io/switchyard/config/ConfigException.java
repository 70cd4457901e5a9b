package io.switchyard.config;

import java.util.List;

/**
 * The one exception the parser and the loaders throw: a file was rejected, and here is every
 * reason. It carries all problems found in the file (errors and the warnings seen alongside them),
 * in file order, and {@link #getMessage()} prints them one per line like a compiler, followed by a
 * count. A rejected file never yields a partial configuration.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    /** @param problems at least one of which is an error */
    public ConfigException(List<Problem> problems) {
        super(null, null, false, false);
        this.problems = List.copyOf(problems);
        if (this.problems.stream().noneMatch(Problem::isError)) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
    }

    /** Every problem, errors and warnings, in the order they were found. */
    public List<Problem> problems() {
        return problems;
    }

    /** Only the errors. */
    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    @Override
    public String getMessage() {
        var sb = new StringBuilder();
        for (Problem p : problems) {
            sb.append(p).append('\n');
        }
        long errors = problems.stream().filter(Problem::isError).count();
        long warnings = problems.size() - errors;
        sb.append(errors).append(errors == 1 ? " error" : " errors");
        if (warnings > 0) {
            sb.append(", ").append(warnings).append(warnings == 1 ? " warning" : " warnings");
        }
        return sb.toString();
    }
}
