package io.switchyard.cli;

import io.switchyard.io.Capabilities;
import io.switchyard.io.Capability;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code switchyard doctor}: what this machine offers the data path (native batch syscalls, GSO,
 * GRO, MSG_ZEROCOPY, the kernel drop counter, ...) and, for anything missing, why. It probes
 * with real sockets on loopback and changes nothing.
 */
@Command(name = "doctor", description = "Probe the kernel features the data path uses and say why any is missing.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Capabilities caps = Capabilities.probe();
        System.out.println("Java " + Runtime.version() + " on " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + "), "
                + Runtime.getRuntime().availableProcessors() + " CPUs");
        for (Capability c : Capability.values()) {
            boolean ok = caps.available(c);
            String reason = caps.reason(c);
            System.out.printf("  %-14s %-4s %s%n", c.name().toLowerCase(java.util.Locale.ROOT),
                    ok ? "yes" : "no", reason == null ? "" : reason);
        }
        return 0;
    }
}
