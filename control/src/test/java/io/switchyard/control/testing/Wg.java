package io.switchyard.control.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code wg} tool (wireguard-tools) and captures what it prints. */
public final class Wg {
    public static final Path BINARY = Path.of("/usr/bin/wg");
    public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");

    public record Result(int exit, String out, String err) {
        public Result requireOk() {
            if (exit != 0) {
                throw new AssertionError("wg exited " + exit + ": " + err + out);
            }
            return this;
        }
    }

    /** Why the real-wg tests cannot run here, or null if they can. */
    public static String unavailable() {
        if (!Files.isExecutable(BINARY)) {
            return BINARY + " is not installed";
        }
        try {
            Files.createDirectories(SOCKET_DIR);
        } catch (IOException e) {
            return "cannot create " + SOCKET_DIR + ": " + e.getMessage();
        }
        if (!Files.isWritable(SOCKET_DIR)) {
            return SOCKET_DIR + " is not writable (needs root)";
        }
        return null;
    }

    /** An interface name no other test run uses: 'sy' and 8 hex digits (IFNAMSIZ allows 15). */
    public static String uniqueName() {
        return "sy" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    }

    public static Path socketOf(String name) {
        return SOCKET_DIR.resolve(name + ".sock");
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        // read both streams fully before waiting: the outputs are small
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) { // a hang guard only
            p.destroyForcibly();
            throw new AssertionError("wg " + args[0] + " hung");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Wg() {}
}
