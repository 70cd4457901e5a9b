package io.switchyard.cli;

import io.switchyard.cli.demo.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code switchyard demo}: a hub and simulated peers on loopback with live progress; see {@link Demo}. */
@Command(name = "demo", description = "Run a hub and simulated WireGuard peers in-process on loopback, "
        + "showing live traffic (no root, no config).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--peers", defaultValue = "4", description = "Simulated peers (default: ${DEFAULT-VALUE}).")
    int peers;

    @Option(names = "--size", defaultValue = "512", paramLabel = "BYTES",
            description = "UDP payload bytes per inner packet (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", defaultValue = "40000", paramLabel = "PPS",
            description = "Total inner packets per second offered; 0 = as fast as the peers can (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS",
            description = "How long to run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Override
    public Integer call() throws Exception {
        Demo.Options options;
        try {
            options = new Demo.Options(peers, size, rate, Duration.ofSeconds(seconds), true);
        } catch (IllegalArgumentException e) {
            System.err.println("switchyard demo: " + e.getMessage());
            return 2;
        }
        AtomicBoolean stop = new AtomicBoolean();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> stop.set(true));
        } catch (IllegalArgumentException e) {
            // no SIGINT here: the demo still ends after --duration
        }
        Demo.Summary s = Demo.run(options, stop, System.out);
        return s.hubBalanced() ? 0 : 1;
    }
}
