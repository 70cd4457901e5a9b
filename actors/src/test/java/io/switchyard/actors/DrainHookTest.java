package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The drain hook contract: called after an activation processed at least one message and found
 * the mailbox empty; never at a budget yield; never without a message since the last call;
 * messages arriving during the hook are handled and followed by another call.
 */
class DrainHookTest {

    /** Records "m<n>" per message and "D" per drain; message -1 blocks until released. */
    static final class Recorder implements Actor<Integer> {
        final List<String> events;
        final CountDownLatch entered;
        final CountDownLatch release;

        Recorder(List<String> events, CountDownLatch entered, CountDownLatch release) {
            this.events = events;
            this.entered = entered;
            this.release = release;
        }

        @Override
        public void receive(Integer m) throws Exception {
            if (m == -1) {
                entered.countDown();
                release.await();
            }
            events.add("m" + m);
        }

        @Override
        public void onDrain() {
            events.add("D");
        }
    }

    private static List<String> runBlocked(int queued, int throughput) throws Exception {
        try (ActorSystem system = ActorSystem.create("drain")) {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> new Recorder(events, entered, release))
                    .withThroughput(throughput), "r");
            ref.tell(-1);
            entered.await();
            for (int i = 0; i < queued; i++) {
                ref.tell(i);
            }
            release.countDown();
            await("drained", () -> events.contains("m" + (queued - 1)) && events.get(events.size() - 1).equals("D"));
            await("idle", () -> system.runningThreads() == 0);
            return new ArrayList<>(events);
        }
    }

    @Test
    void oneDrainAfterTheWholeBacklog() throws Exception {
        List<String> events = runBlocked(10, 64);
        List<String> expected = new ArrayList<>();
        expected.add("m-1");
        for (int i = 0; i < 10; i++) {
            expected.add("m" + i);
        }
        expected.add("D");
        assertEquals(expected, events);
    }

    @Test
    void noDrainAtABudgetYield() throws Exception {
        // throughput 3 with 11 messages: 4 budget boundaries, still a single drain at the end
        List<String> events = runBlocked(10, 3);
        assertEquals(1, events.stream().filter("D"::equals).count(), events.toString());
        assertEquals("D", events.get(events.size() - 1));
    }

    @Test
    void noDrainWithoutAMessage() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-idle")) {
            AtomicInteger drains = new AtomicInteger();
            AtomicInteger starts = new AtomicInteger();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> new Actor<>() {
                @Override
                public void receive(Integer m) {}

                @Override
                public void preStart() {
                    starts.incrementAndGet();
                }

                @Override
                public void onDrain() {
                    drains.incrementAndGet();
                }
            }), "idle");
            await("started", () -> starts.get() == 1 && system.runningThreads() == 0);
            assertEquals(0, drains.get());
            ref.tell(1);
            await("one drain", () -> drains.get() == 1);
            await("idle", () -> system.runningThreads() == 0);
            assertEquals(1, drains.get());
        }
    }

    @Test
    void messagesArrivingDuringTheHookAreHandledThenDrainedAgain() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-reentry")) {
            ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> new Actor<>() {
                boolean first = true;

                @Override
                public void receive(Integer m) {
                    events.add("m" + m);
                }

                @Override
                public void onDrain() {
                    events.add("D");
                    if (first) {
                        first = false;
                        ctx.self().tell(2); // arrives during the hook
                    }
                }
            }), "re");
            ref.tell(1);
            await("two drains", () -> events.stream().filter("D"::equals).count() == 2);
            await("idle", () -> system.runningThreads() == 0);
            assertEquals(List.of("m1", "D", "m2", "D"), new ArrayList<>(events));
        }
    }

    /** Random load from several threads: the event log must always be "messages, then D" runs. */
    @RepeatedTest(3)
    void everyMessageIsFollowedByExactlyOneDrainBeforeIdle() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-random")) {
            AtomicInteger sinceDrain = new AtomicInteger();
            AtomicInteger emptyDrains = new AtomicInteger();
            AtomicInteger handled = new AtomicInteger();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> new Actor<>() {
                @Override
                public void receive(Integer m) {
                    sinceDrain.incrementAndGet();
                    handled.incrementAndGet();
                }

                @Override
                public void onDrain() {
                    if (sinceDrain.getAndSet(0) == 0) {
                        emptyDrains.incrementAndGet();
                    }
                }
            }).withThroughput(5).withUnboundedMailbox(), "rand");
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                long seed = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    java.util.Random r = new java.util.Random(seed);
                    for (int i = 0; i < 20_000; i++) {
                        ref.tell(i);
                        if (r.nextInt(100) == 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(r.nextInt(50_000));
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            await("all handled", () -> handled.get() == 80_000);
            await("idle", () -> system.runningThreads() == 0);
            assertEquals(0, sinceDrain.get(), "went idle with messages not followed by a drain");
            assertEquals(0, emptyDrains.get(), "drain without a message since the last one");
            assertTrue(handled.get() == 80_000);
        }
    }

    /** Records messages, drains and the stop; {@code stopAt} makes the actor stop itself. */
    private static Props<Integer> lifecycleRecorder(List<String> events, int stopAt, int failAt) {
        return Props.<Integer>of(ctx -> new Actor<>() {
            @Override
            public void receive(Integer m) {
                if (m == failAt) {
                    events.add("fail" + m);
                    throw new IllegalStateException("boom");
                }
                events.add("m" + m);
                if (m == stopAt) {
                    ctx.stop();
                }
            }

            @Override
            public void onDrain() {
                events.add("D");
            }

            @Override
            public void postStop() {
                events.add("P");
            }
        }).withSupervisor(SupervisorStrategy.stop());
    }

    @Test
    void aRequestedStopDrainsBeforePostStop() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-stop")) {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            ActorRef<Integer> ref = system.spawn(lifecycleRecorder(events, 2, -99), "s");
            ref.tellAll(List.of(0, 1, 2, 3)); // stops itself after 2; 3 becomes a dead letter
            await("stopped", ref::isTerminated);
            assertEquals(List.of("m0", "m1", "m2", "D", "P"), new ArrayList<>(events));
            assertEquals(1, system.counter(ActorCounter.DEAD_LETTERS));
        }
    }

    @Test
    void aStopAfterADrainAddsNoDrain() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-stop-idle")) {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            ActorRef<Integer> ref = system.spawn(lifecycleRecorder(events, -99, -99), "s");
            ref.tell(0);
            await("drained", () -> events.contains("D"));
            ref.stop();
            await("stopped", ref::isTerminated);
            assertEquals(List.of("m0", "D", "P"), new ArrayList<>(events));
        }
    }

    @Test
    void aStopBySupervisionAfterAFailureDoesNotDrain() throws Exception {
        try (ActorSystem system = ActorSystem.create("drain-fail")) {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            ActorRef<Integer> ref = system.spawn(lifecycleRecorder(events, -99, 1), "s");
            ref.tellAll(List.of(0, 1));
            await("stopped", ref::isTerminated);
            assertEquals(List.of("m0", "fail1", "P"), new ArrayList<>(events));
        }
    }
}
