package io.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The mailboxes are JCTools' atomic (VarHandle/field-updater) variants, so a fresh JDK 25 that
 * exercises every queue the runtime uses prints no {@code sun.misc.Unsafe} warning. Runs a child
 * JVM because the warning is printed once per JVM, to its stderr.
 */
class NoUnsafeWarningTest {

    /** Child JVM entry point: uses bounded, unbounded and control queues and the timer wheel. */
    public static void main(String[] args) throws Exception {
        try (ActorSystem system = ActorSystem.create("unsafe-probe")) {
            ActorRef<String> bounded = system.spawn(Props.<String>of(ctx -> m -> {}), "bounded");
            ActorRef<String> unbounded = system.spawn(Props.<String>of(ctx -> m -> {}).withUnboundedMailbox(), "unbounded");
            ActorRef<String> watcher = system.spawn(Props.<String>of(ctx -> {
                ctx.watch(bounded, "gone");
                return m -> {};
            }), "watcher");
            bounded.tell("x");
            unbounded.tell("y");
            system.timers().scheduleOnce(watcher, "t", Duration.ofMillis(1));
            bounded.stop();
            Thread.sleep(50);
        }
        System.out.println("probe-ok");
    }

    @Test
    void noUnsafeWarningOnJdk25() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                NoUnsafeWarningTest.class.getName())).start();
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), err);
        assertEquals("probe-ok", out.strip(), err);
        assertFalse(err.contains("sun.misc.Unsafe"), err);
    }
}
