package io.switchyard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** External commands the benchmarks run (ip, sysctl, wg, jstat, ...): their exit and output, with a hang guard. */
public final class Commands {
    private Commands() {
    }

    /** A finished command: its exit status and its output (stdout and stderr, stripped). */
    public record Result(int exit, String out) {}

    /** Runs {@code cmd} and waits (60 s at most). */
    public static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) { // hang guard
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " hung");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs {@code cmd}; throws, with its output, unless it exits 0. */
    public static Result mustRun(String... cmd) throws IOException {
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out());
        }
        return r;
    }
}
