package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The activation protocol under many producers: exact counts (no lost message, no lost
 * wake-up), per-sender order, and never two activations of one actor at once.
 */
class ActivationProtocolTest {

    record Msg(int producer, int seq) {}

    /** Checks order per producer and that receive is never entered concurrently. */
    static final class Checker implements Actor<Msg> {
        final int[] next;
        final AtomicLong received;
        final AtomicBoolean inside;
        final AtomicLong violations;

        Checker(int producers, AtomicLong received, AtomicBoolean inside, AtomicLong violations) {
            this.next = new int[producers];
            this.received = received;
            this.inside = inside;
            this.violations = violations;
        }

        @Override
        public void receive(Msg m) {
            if (!inside.compareAndSet(false, true)) {
                violations.incrementAndGet();
            }
            if (m.seq() != next[m.producer()]) {
                violations.incrementAndGet();
            }
            next[m.producer()] = m.seq() + 1;
            received.incrementAndGet();
            inside.set(false);
        }
    }

    @ParameterizedTest(name = "producers={0} perProducer={1} throughput={2} dedicated={3}")
    @CsvSource({
        "8, 50000, 64, false",
        "8, 20000, 1, false",
        "4, 50000, 7, true",
        "16, 5000, 3, false",
    })
    void manyProducersExactCountsAndPerSenderOrder(int producers, int perProducer, int throughput, boolean dedicated)
            throws Exception {
        try (ActorSystem system = ActorSystem.create("activation")) {
            for (int round = 0; round < 3; round++) {
                AtomicLong received = new AtomicLong();
                AtomicLong violations = new AtomicLong();
                AtomicBoolean inside = new AtomicBoolean();
                ActorRef<Msg> ref = system.spawn(
                        Props.<Msg>of(ctx -> new Checker(producers, received, inside, violations))
                                .withUnboundedMailbox().withThroughput(throughput).withDedicatedThread(dedicated),
                        "checker");
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int id = p;
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (int s = 0; s < perProducer; s++) {
                            assertTrue(ref.tell(new Msg(id, s)));
                            if ((s & 1023) == 0) {
                                Thread.yield(); // let the consumer drain and go idle: exercises the re-check race
                            }
                        }
                    }));
                }
                go.countDown();
                for (Thread t : threads) {
                    t.join();
                }
                long expected = (long) producers * perProducer;
                await("all messages received", () -> received.get() >= expected);
                await("actor idle", () -> system.runningThreads() == (dedicated ? 1 : 0));
                assertEquals(expected, received.get());
                assertEquals(0, violations.get(), "order or exclusivity violated");
                ref.stop();
                await("stopped", ref::isTerminated);
            }
        }
        assertEquals(0, 0);
    }

    /** Many short bursts each separated by idleness: every burst must wake the actor. */
    @RepeatedTest(3)
    void wakeUpAfterIdleIsNeverLost() throws Exception {
        try (ActorSystem system = ActorSystem.create("wake")) {
            AtomicLong received = new AtomicLong();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> received.incrementAndGet()), "w");
            for (int i = 1; i <= 20_000; i++) {
                ref.tell(i);
                if (i % 2 == 0) {
                    long want = i;
                    // spin briefly until handled so the next tell hits an idle or idling actor
                    long spins = 0;
                    while (received.get() < want && spins++ < 1_000_000) {
                        Thread.onSpinWait();
                    }
                }
            }
            await("all received", () -> received.get() == 20_000);
            assertFalse(ref.isTerminated());
        }
    }

    @RepeatedTest(2)
    void tellAllIsOneActivationAndKeepsOrder() throws Exception {
        try (ActorSystem system = ActorSystem.create("batch")) {
            List<Integer> seen = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> {
                seen.add(m);
                if (m == 999) {
                    done.countDown();
                }
            }).withThroughput(10_000), "b");
            await("started", () -> system.runningThreads() == 0);
            long before = system.counter(ActorCounter.ACTIVATIONS);
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(i);
            }
            assertEquals(1000, ref.tellAll(batch));
            assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS));
            await("idle", () -> system.runningThreads() == 0);
            assertEquals(1, system.counter(ActorCounter.ACTIVATIONS) - before);
            assertEquals(batch, seen);
        }
    }

    @org.junit.jupiter.api.Test
    void fanoutWakesEachDestinationOnce() throws Exception {
        try (ActorSystem system = ActorSystem.create("fanout")) {
            int dests = 5;
            AtomicLong received = new AtomicLong();
            List<ActorRef<Integer>> refs = new ArrayList<>();
            for (int i = 0; i < dests; i++) {
                refs.add(system.spawn(Props.<Integer>of(ctx -> m -> received.incrementAndGet()), "d" + i));
            }
            await("started", () -> system.runningThreads() == 0);
            long before = system.counter(ActorCounter.ACTIVATIONS);
            Fanout fanout = new Fanout();
            for (int i = 0; i < 500; i++) {
                assertTrue(fanout.offer(refs.get((i / 10) % dests), i)); // runs of 10 per destination
            }
            assertEquals(0, received.get(), "offer must not wake an idle actor");
            assertEquals(dests * 10, fanout.flush()); // 50 runs recorded, 5 distinct destinations
            await("all received", () -> received.get() == 500);
            await("idle", () -> system.runningThreads() == 0);
            assertEquals(dests, system.counter(ActorCounter.ACTIVATIONS) - before);
        }
    }

    @org.junit.jupiter.api.Test
    void dedicatedThreadRunsTheActor() throws Exception {
        try (ActorSystem system = ActorSystem.create("ded")) {
            java.util.concurrent.CompletableFuture<Thread> where = new java.util.concurrent.CompletableFuture<>();
            ActorRef<String> ref = system.spawn(Props.<String>of(ctx -> m -> where.complete(Thread.currentThread()))
                    .withDedicatedThread(true), "io-loop");
            ref.tell("x");
            Thread t = where.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(t.isVirtual());
            assertEquals("ded-io-loop", t.getName());
            assertTrue(system.shutdown(Duration.ofSeconds(10)));
            assertFalse(t.isAlive());
        }
    }
}
