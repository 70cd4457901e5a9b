package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The shared timer wheel on a manual clock: never early, exactly on the due tick, cancel, periodic. */
class TimerTest {

    private record Fired(String tag, long at) {}

    @Test
    void onceTimersFireOnTheirTickNeverBefore() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("timers").clock(clock).tick(Duration.ofMillis(1)).build()) {
            ConcurrentLinkedQueue<Fired> fired = new ConcurrentLinkedQueue<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> m -> fired.add(new Fired(m, clock.nanoTime())))
                    .withUnboundedMailbox(), "sink");
            // Randomized against the obvious reference: a timer with delay d (whole ms) is due at
            // the first advance that reaches d; deadlines beyond the 512-slot wheel exercise rounds.
            Random r = new Random(42);
            List<Integer> delays = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int d = r.nextInt(3000);
                delays.add(d);
                system.timers().scheduleOnce(ref, "t" + i + "@" + d, Duration.ofMillis(d));
            }
            for (int now = 1; now <= 3000; now++) {
                clock.advance(Duration.ofMillis(1));
            }
            await("all fired", () -> fired.size() == 500);
            for (Fired f : fired) {
                long due = Long.parseLong(f.tag().substring(f.tag().indexOf('@') + 1));
                // told on the advance that reached the deadline (handled possibly a bit later)
                assertTrue(f.at() >= TimeUnit.MILLISECONDS.toNanos(due), f + " fired early");
            }
            assertEquals(500, system.counter(ActorCounter.TIMERS_FIRED));
            assertEquals(0, system.timers().pending());
        }
    }

    @Test
    void exactTickAndCancel() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("timers-exact").clock(clock).tick(Duration.ofMillis(10)).build()) {
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> got::add), "sink");
            Cancellable a = system.timers().scheduleOnce(ref, "a", Duration.ofMillis(25));
            Cancellable b = system.timers().scheduleOnce(ref, "b", Duration.ofMillis(25));
            assertTrue(b.cancel());
            assertFalse(b.cancel());
            clock.advance(Duration.ofMillis(20));
            assertEquals(0, system.counter(ActorCounter.TIMERS_FIRED), "25 ms is not due at 20 ms");
            clock.advance(Duration.ofMillis(10)); // 30 ms: tick 3 >= ceil(25/10)
            assertEquals(1, system.counter(ActorCounter.TIMERS_FIRED));
            await("a", () -> got.contains("a"));
            assertFalse(a.cancel(), "already fired");
            clock.advance(Duration.ofSeconds(10));
            assertEquals(List.of("a"), new ArrayList<>(got));
            assertEquals(0, system.timers().pending());
        }
    }

    @Test
    void periodicAtFixedRateUntilCancelled() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("timers-periodic").clock(clock).build()) {
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> got::add).withUnboundedMailbox(), "sink");
            Cancellable keepalive = system.timers().scheduleAtFixedRate(ref, "ka", Duration.ofSeconds(10), Duration.ofSeconds(10));
            clock.advance(Duration.ofSeconds(9));
            assertEquals(0, system.counter(ActorCounter.TIMERS_FIRED));
            for (int i = 0; i < 10; i++) {
                clock.advance(Duration.ofSeconds(10)); // t = 19, 29, ... 109
            }
            assertEquals(10, system.counter(ActorCounter.TIMERS_FIRED));
            // One jump across several periods catches up one firing per period.
            clock.advance(Duration.ofSeconds(30)); // t = 139: due at 110, 120, 130
            assertEquals(13, system.counter(ActorCounter.TIMERS_FIRED));
            assertTrue(keepalive.cancel());
            clock.advance(Duration.ofMinutes(5));
            assertEquals(13, system.counter(ActorCounter.TIMERS_FIRED));
            await("delivered", () -> got.size() == 13);
            assertEquals(0, system.timers().pending());
        }
    }

    @Test
    void periodicTimersEndWhenTheTargetStops() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("timers-stop").clock(clock).build()) {
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> m -> {}), "short-lived");
            system.timers().scheduleAtFixedRate(ref, "x", Duration.ofSeconds(1), Duration.ofSeconds(1));
            ref.stop();
            await("stopped", ref::isTerminated);
            clock.advance(Duration.ofSeconds(5));
            assertEquals(0, system.timers().pending());
        }
    }

    @Test
    void realClockTimerFiresWithoutAThreadPerTimer() throws Exception {
        try (ActorSystem system = ActorSystem.create("timers-real")) {
            ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> got::add).withUnboundedMailbox(), "sink");
            int before = Thread.activeCount();
            for (int i = 0; i < 1000; i++) {
                system.timers().scheduleOnce(ref, "t", Duration.ofMillis(20 + i % 50));
            }
            assertTrue(Thread.activeCount() <= before + 1, "timers must not create threads");
            await("all fired", () -> got.size() == 1000);
        }
    }
}
