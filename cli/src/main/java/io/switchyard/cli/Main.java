package io.switchyard.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code switchyard} command line. Subcommands are added as the router grows. */
@Command(name = "switchyard",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // every subcommand takes --help (and --version)
        versionProvider = Main.Version.class,
        description = "A WireGuard-compatible datagram router on JDK virtual threads.",
        subcommands = {
            CommandLine.HelpCommand.class,
            KeyCommands.GenKey.class,
            KeyCommands.GenPsk.class,
            KeyCommands.PubKey.class,
            DoctorCommand.class,
            ShowCommand.class,
            ReloadCommand.class,
            UpCommand.class,
            DemoCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"switchyard " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }
}
