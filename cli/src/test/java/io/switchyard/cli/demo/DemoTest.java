package io.switchyard.cli.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The README's first command, run briefly: traffic crosses the hub and every datagram is accounted for. */
class DemoTest {
    @Test
    void trafficFlowsThroughTheHubAndEveryDatagramIsAccountedFor() throws Exception {
        var bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Demo.Summary s = Demo.run(new Demo.Options(3, 256, 3000, Duration.ofSeconds(3), true), new AtomicBoolean(), out);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(s.received() > 1000, "peers received only " + s.received() + "\n" + text);
        assertTrue(s.hubBalanced(), text);
        assertTrue(s.hubForwarded() >= s.received(), "every packet a peer received crossed the hub\n" + text);
        assertEquals(0L, s.hub().dropped(), "no drop in a paced demo\n" + text);
        assertEquals(3, s.hub().handshakesCompleted(), text);
        assertTrue(text.contains("  1s  hub forwarded"), "live progress once a second\n" + text);
        assertTrue(text.contains("balanced"), text);
    }

    @Test
    void badOptionsAreRefusedWithTheOptionName() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Demo.Options(1, 256, 0, Duration.ofSeconds(1), false));
        assertTrue(e.getMessage().contains("--peers"), e.getMessage());
    }
}
