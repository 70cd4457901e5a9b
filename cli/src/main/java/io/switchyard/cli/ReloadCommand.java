package io.switchyard.cli;

import io.switchyard.control.UapiClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchyard reload NAME}: asks the running hub to re-read its configuration file and
 * apply the difference now, as SIGHUP does, and prints what changed or every problem of a file
 * that was refused (the running configuration then stays as it was). It sends the Switchyard
 * control-socket extension {@code switchyard-reload=1}; see docs/operations.md.
 */
@Command(name = "reload", description = "Make a running hub re-read its config file and apply the changes.")
final class ReloadCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Interface name.")
    String name;

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket path (default: /var/run/wireguard/NAME.sock).")
    Path socket;

    @Override
    public Integer call() {
        return run(System.out, System.err);
    }

    int run(PrintStream out, PrintStream err) {
        if (socket == null && name == null) {
            err.println("switchyard reload: give the interface NAME or --socket PATH");
            return 2;
        }
        Path path = socket != null ? socket : ShowCommand.SOCKET_DIR.resolve(name + ".sock");
        String who = name != null ? name : path.toString();
        UapiClient.Reply r;
        try {
            r = UapiClient.request(path, "switchyard-reload=1\n\n");
        } catch (UapiClient.NoReplyException e) {
            err.println("switchyard reload: " + who + ": the process behind " + path
                    + " is not Switchyard (it does not know reload)");
            return 1;
        } catch (IOException e) {
            err.println("switchyard reload: " + who + ": " + e.getMessage());
            return 1;
        }
        String message = r.message();
        if (r.errno() == 0) {
            out.println(message.isEmpty() ? who + ": reloaded" : message);
            return 0;
        }
        err.println("switchyard reload: " + who + ": refused (errno " + -r.errno() + ")"
                + (message.isEmpty() ? "" : "\n" + message));
        return 1;
    }
}
