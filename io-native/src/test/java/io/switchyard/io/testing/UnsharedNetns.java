package io.switchyard.io.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test's {@code main} in a JVM of its own inside a fresh network namespace
 * ({@code unshare -n}), after a shell setup script (links, addresses, MTUs): for tests that change
 * what they may not change on the machine. Needs root, unshare and ip: skips without them, and
 * fails under {@code CI=true} ({@link Prerequisites}). The child prints what failed and exits
 * non-zero; this fails with its output.
 */
public final class UnsharedNetns {
    private UnsharedNetns() {}

    /** Runs {@code setup} then {@code main}'s class in a new namespace; waits {@code seconds} at most. */
    public static void runMain(Class<?> main, String setup, int seconds) throws Exception {
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/sbin/ip")),
                "needs unshare and ip");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = setup + " && echo NETNS-READY && exec " + java
                + " --enable-native-access=ALL-UNNAMED -cp \"$CP\" " + main.getName();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/unshare", "-n", "sh", "-c", script).redirectErrorStream(true);
        pb.environment().put("CP", System.getProperty("java.class.path"));
        Process p = pb.start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS); // hang guard
        if (!done) {
            p.destroyForcibly();
        }
        String out = new String(p.getInputStream().readAllBytes());
        Prerequisites.require(out.contains("NETNS-READY"), "could not set up a network namespace here: " + out);
        assertEquals(true, done, "timed out: " + out);
        assertEquals(0, p.exitValue(), out);
    }
}
