package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void everySubcommandTakesHelp() {
        for (String sub : new String[] {"demo", "up", "show", "reload", "doctor", "genkey", "genpsk", "pubkey"}) {
            String[] r = run(sub, "--help");
            assertEquals("0", r[0], sub + " --help: " + r[2]);
            assertTrue(r[1].contains("Usage: switchyard " + sub), sub + " --help printed: " + r[1]);
            assertTrue(r[1].contains("--help"), r[1]);
        }
        assertTrue(run("demo", "--help")[1].contains("--duration"));
    }
}
