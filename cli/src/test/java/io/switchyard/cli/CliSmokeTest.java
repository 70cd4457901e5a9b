package io.switchyard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliSmokeTest {
    @Test
    void unknownSubcommandIsAnErrorNamingIt() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute("no-such-command");
        assertEquals(2, rc);
        assertTrue(err.toString().contains("no-such-command"), err.toString());
    }
}
