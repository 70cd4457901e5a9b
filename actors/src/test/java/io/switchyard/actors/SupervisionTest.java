package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Supervision directives, the restart budget on a manual clock, escalation, watch, dead letters. */
class SupervisionTest {

    /** "fail" throws; "count" records the instance's own message count; "get" replies it. */
    static final class Flaky implements Actor<String> {
        final AtomicInteger starts;
        final AtomicInteger stops;
        final ConcurrentLinkedQueue<Integer> seen;
        int count;

        Flaky(AtomicInteger starts, AtomicInteger stops, ConcurrentLinkedQueue<Integer> seen) {
            this.starts = starts;
            this.stops = stops;
            this.seen = seen;
        }

        @Override
        public void preStart() {
            starts.incrementAndGet();
        }

        @Override
        public void postStop() {
            stops.incrementAndGet();
        }

        @Override
        public void receive(String m) {
            count++;
            if (m.equals("fail")) {
                throw new IllegalStateException("boom");
            }
            seen.add(count);
        }
    }

    @Test
    void restartsWithinBudgetThenStopsBeyondIt() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("sup").clock(clock).build()) {
            AtomicInteger starts = new AtomicInteger();
            AtomicInteger stops = new AtomicInteger();
            ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> new Flaky(starts, stops, seen))
                    .withSupervisor(SupervisorStrategy.restart(3, Duration.ofMinutes(1))), "flaky");
            for (int i = 0; i < 3; i++) {
                ref.tell("fail");
                clock.advance(Duration.ofSeconds(10));
            }
            ref.tell("count");
            await("count seen", () -> seen.size() == 1);
            assertEquals(1, seen.peek(), "a restart gives a fresh instance");
            assertEquals(4, starts.get());
            assertEquals(3, system.counter(ActorCounter.RESTARTS));
            assertFalse(ref.isTerminated());

            // The 4th failure within the minute is over budget: the actor stops.
            ref.tell("fail");
            await("stopped", ref::isTerminated);
            assertEquals(3, system.counter(ActorCounter.RESTARTS));
            assertEquals(1, system.counter(ActorCounter.SUPERVISION_STOPS));
            assertEquals(4, system.counter(ActorCounter.ACTOR_FAILURES));
            assertEquals(1, stops.get(), "postStop once, on the final instance");
            assertFalse(ref.tell("count"));
            assertEquals(1, system.counter(ActorCounter.DEAD_LETTERS));
        }
    }

    @Test
    void theBudgetWindowSlides() {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("sup-window").clock(clock).build()) {
            AtomicInteger starts = new AtomicInteger();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> new Flaky(starts, new AtomicInteger(), new ConcurrentLinkedQueue<>()))
                    .withSupervisor(SupervisorStrategy.restart(2, Duration.ofSeconds(10))), "sliding");
            for (int i = 0; i < 10; i++) {
                ref.tell("fail");
                int want = i + 2;
                await("restarted", () -> starts.get() == want);
                clock.advance(Duration.ofSeconds(6)); // two failures per 12 s: always within 2 per 10 s
            }
            assertFalse(ref.isTerminated());
            assertEquals(10, system.counter(ActorCounter.RESTARTS));
        }
    }

    @Test
    void resumeKeepsStateAndStopStops() {
        try (ActorSystem system = ActorSystem.create("sup-resume")) {
            ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
            ActorRef<String> resumed = system.spawn(Props.<String>of(ctx -> new Flaky(new AtomicInteger(), new AtomicInteger(), seen))
                    .withSupervisor(SupervisorStrategy.resume()), "resumed");
            resumed.tell("count");
            resumed.tell("fail");
            resumed.tell("count");
            await("two counts", () -> seen.size() == 2);
            assertEquals(java.util.List.of(1, 3), new java.util.ArrayList<>(seen), "same instance, state kept");

            ActorRef<String> stopped = system.spawn(Props.<String>of(ctx -> new Flaky(new AtomicInteger(), new AtomicInteger(), seen))
                    .withSupervisor(SupervisorStrategy.stop()), "stopped");
            stopped.tell("fail");
            stopped.tell("count");
            await("stopped", stopped::isTerminated);
            assertEquals(2, seen.size());
            assertEquals(0, system.counter(ActorCounter.RESTARTS));
        }
    }

    @Test
    void escalationFailsTheParentWhichRestarts() {
        try (ActorSystem system = ActorSystem.create("sup-escalate")) {
            AtomicInteger parentStarts = new AtomicInteger();
            AtomicReference<ActorRef<String>> child = new AtomicReference<>();
            ActorRef<String> parent = system.spawn(Props.<String>of(ctx -> new Actor<String>() {
                @Override
                public void preStart() {
                    parentStarts.incrementAndGet();
                    child.set(ctx.spawn(Props.<String>of(c -> new Flaky(new AtomicInteger(), new AtomicInteger(), new ConcurrentLinkedQueue<>()))
                            .withSupervisor(SupervisorStrategy.escalate()), "child"));
                }

                @Override
                public void receive(String m) {}
            }).withSupervisor(SupervisorStrategy.restart(5, Duration.ofMinutes(1))), "parent");
            await("child", () -> child.get() != null);
            ActorRef<String> first = child.get();
            first.tell("fail");
            await("parent restarted", () -> parentStarts.get() == 2);
            assertTrue(first.isTerminated(), "the escalating child stops");
            assertEquals(1, system.counter(ActorCounter.ESCALATIONS));
            assertEquals(1, system.counter(ActorCounter.RESTARTS));
            assertFalse(parent.isTerminated());
            await("new child", () -> child.get() != first);
            assertFalse(child.get().isTerminated());
        }
    }

    @Test
    void stoppingAParentStopsItsChildren() {
        try (ActorSystem system = ActorSystem.create("sup-tree")) {
            AtomicReference<ActorRef<String>> child = new AtomicReference<>();
            ActorRef<String> parent = system.spawn(Props.<String>of(ctx -> {
                child.set(ctx.spawn(Props.<String>of(c -> m -> {}), "child"));
                return m -> {};
            }), "parent");
            await("child", () -> child.get() != null);
            parent.stop();
            await("child stopped", () -> child.get().isTerminated());
            await("none live", () -> system.liveActors() == 0);
        }
    }

    @Test
    void watchersGetTheirNoticeAndDeadLettersAreCounted() throws Exception {
        try (ActorSystem system = ActorSystem.create("sup-watch")) {
            java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            ActorRef<String> target = system.spawn(Props.<String>of(ctx -> m -> {
                if (m.equals("block")) {
                    entered.countDown();
                    release.await();
                    ctx.stop();
                }
            }), "target");
            ConcurrentLinkedQueue<String> notices = new ConcurrentLinkedQueue<>();
            ActorRef<String> watcher = system.spawn(Props.<String>of(ctx -> {
                ctx.watch(target, "target-died");
                return notices::add;
            }), "watcher");
            await("watching", () -> system.runningThreads() == 0);
            target.tell("block");
            entered.await();
            for (int i = 0; i < 5; i++) {
                target.tell("queued");
            }
            release.countDown();
            await("notice", () -> notices.contains("target-died"));
            assertEquals(5, system.counter(ActorCounter.DEAD_LETTERS), "queued messages at stop");
            assertFalse(target.tell("late"));
            assertEquals(6, system.counter(ActorCounter.DEAD_LETTERS));

            // Watching an already dead actor notifies at once.
            ActorRef<String> late = system.spawn(Props.<String>of(ctx -> {
                ctx.watch(target, "already-dead");
                return notices::add;
            }), "late");
            await("immediate notice", () -> notices.contains("already-dead"));
            assertFalse(watcher.isTerminated() || late.isTerminated());
        }
    }
}
