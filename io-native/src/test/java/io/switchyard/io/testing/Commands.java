package io.switchyard.io.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** External commands tests run (ip, wg, wireguard-go, ping, ...): their exit and output, with a hang guard. */
public final class Commands {
    private Commands() {}

    /** A finished command: its exit status and its output (stdout and stderr together). */
    public record Result(int exit, String out) {}

    /** Runs {@code cmd} and waits, at most {@code seconds} (then it is killed and this throws). */
    public static Result run(int seconds, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) { // hang guard only
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " hung");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
