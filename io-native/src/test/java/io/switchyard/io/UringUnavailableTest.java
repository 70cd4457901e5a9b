package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.TransportException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where io_uring is unavailable, opening {@link Transport#URING} fails with a TransportException
 * naming the reason, the capability says why, and AUTO still opens the epoll transport. The
 * probe result is cached per JVM, so this runs a forked JVM with the operator switch
 * {@code -Dswitchyard.io.uring=false} (the same path as a sysctl or seccomp refusal).
 */
class UringUnavailableTest {
    @Test
    @Timeout(60)
    void openingFailsWithTheReasonAndAutoStaysOnEpoll() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Dswitchyard.io.uring=false", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), UringUnavailableTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(50, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("REFUSED io_uring transport unavailable: turned off with -Dswitchyard.io.uring=false"), out);
        assertTrue(out.contains("REASON turned off with -Dswitchyard.io.uring=false"), out);
        assertTrue(out.contains("AUTO linux-native"), out);
    }

    public static void main(String[] args) throws Exception {
        System.out.println("REASON " + Capabilities.probe().reason(Capability.IO_URING));
        try {
            Datagrams.open(UdpOptions.create().transport(Transport.URING)).close();
            System.out.println("OPENED");
        } catch (TransportException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
        try (UdpSocket s = Datagrams.open(UdpOptions.create())) {
            System.out.println("AUTO " + s.transportName());
        }
    }
}
