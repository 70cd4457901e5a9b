package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ShutdownTest {

    static List<Thread> platformThreadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).toList();
    }

    @Test
    void gracefulShutdownDrainsMailboxesAndLeavesNoThread() throws Exception {
        ActorSystem system = ActorSystem.create("drainer");
        AtomicLong handled = new AtomicLong();
        AtomicLong stops = new AtomicLong();
        CountDownLatch gate = new CountDownLatch(1);
        ActorRef<Integer> slow = system.spawn(Props.<Integer>of(ctx -> new Actor<>() {
            @Override
            public void receive(Integer m) throws Exception {
                gate.await();
                handled.incrementAndGet();
            }

            @Override
            public void postStop() {
                stops.incrementAndGet();
            }
        }).withUnboundedMailbox(), "slow");
        ActorRef<Integer> io = system.spawn(Props.<Integer>of(ctx -> m -> handled.incrementAndGet())
                .withDedicatedThread(true), "io");
        system.timers().scheduleAtFixedRate(io, 1, Duration.ofMillis(5), Duration.ofMillis(5));
        for (int i = 0; i < 10_000; i++) {
            slow.tell(i);
        }
        assertFalse(platformThreadsNamed("drainer-").isEmpty(), "timer and dedicated threads exist");
        gate.countDown();
        assertTrue(system.shutdown(Duration.ofSeconds(60)));
        assertTrue(handled.get() >= 10_000, "every queued message handled before stop");
        assertEquals(1, stops.get());
        assertEquals(0, system.liveActors());
        assertEquals(0, system.runningThreads());
        assertTrue(system.isTerminated());
        assertEquals(List.of(), platformThreadsNamed("drainer-"));
        assertTrue(slow.isTerminated() && io.isTerminated());
        assertThrows(IllegalStateException.class, () -> system.spawn(Props.<Integer>of(ctx -> m -> {}), "late"));
        assertFalse(slow.tell(1));
    }

    @Test
    void shutdownTimesOutOnEndlessWorkThenStopsEverything() {
        ActorSystem system = ActorSystem.create("endless");
        AtomicLong volleys = new AtomicLong();
        @SuppressWarnings("unchecked")
        ActorRef<Object>[] players = new ActorRef[2];
        for (int i = 0; i < 2; i++) {
            // Each message re-sends itself (and bounces to the other): the mailboxes never drain.
            int other = 1 - i;
            players[i] = system.spawn(Props.<Object>of(ctx -> m -> {
                volleys.incrementAndGet();
                ctx.self().tell(m);
                players[other].tell(m);
            }).withBoundedMailbox(64, Overflow.DROP_NEWEST), "player" + i);
        }
        await("players up", () -> system.runningThreads() == 0);
        players[0].tell("ball");
        await("rallying", () -> volleys.get() > 100);
        assertFalse(system.shutdown(Duration.ofMillis(200)), "ping-pong never drains");
        assertEquals(0, system.liveActors());
        assertEquals(0, system.runningThreads());
        assertEquals(List.of(), platformThreadsNamed("endless-"));
        assertTrue(players[0].isTerminated() && players[1].isTerminated());
    }

    /**
     * The window between a thread counting itself out and its exit, widened to 200 ms by the
     * exit hook: shutdown must still return only once every thread it started (dedicated and
     * virtual activations) has ended. Before shutdown joined them, it returned true while they
     * were still alive (the flaky {@code ActivationProtocolTest.dedicatedThreadRunsTheActor}).
     */
    @Test
    void shutdownReturnsOnlyAfterEveryThreadHasExited() throws Exception {
        ActorSystem system = ActorSystem.create("exiting");
        system.exitHook = () -> java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
        ConcurrentLinkedQueue<Thread> seen = new ConcurrentLinkedQueue<>();
        AtomicLong handled = new AtomicLong();
        ActorRef<Integer> io = system.spawn(Props.<Integer>of(ctx -> m -> {
            seen.add(Thread.currentThread());
            handled.incrementAndGet();
        }).withDedicatedThread(true), "io");
        List<ActorRef<Integer>> peers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            peers.add(system.spawn(Props.<Integer>of(ctx -> m -> {
                seen.add(Thread.currentThread());
                handled.incrementAndGet();
            }), "peer" + i));
        }
        io.tell(1);
        for (ActorRef<Integer> p : peers) {
            p.tell(1);
        }
        await("handled", () -> handled.get() == 9);
        assertTrue(system.shutdown(Duration.ofSeconds(30)));
        assertEquals(9, seen.size());
        assertTrue(seen.stream().anyMatch(Thread::isVirtual) && seen.stream().anyMatch(t -> !t.isVirtual()));
        for (Thread t : seen) {
            assertFalse(t.isAlive(), t + " still alive after shutdown returned true");
        }
        assertTrue(system.isTerminated());
    }
}
