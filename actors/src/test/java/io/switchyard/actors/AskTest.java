package io.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class AskTest {
    record Request(int x, ActorRef<Integer> replyTo) {}

    @Test
    void askGetsTheReply() throws Exception {
        try (ActorSystem system = ActorSystem.create("ask")) {
            ActorRef<Request> doubler = system.spawn(Props.<Request>of(ctx -> r -> r.replyTo().tell(r.x() * 2)), "doubler");
            CompletableFuture<Integer> f = doubler.ask(reply -> new Request(21, reply), Duration.ofSeconds(30));
            assertEquals(42, f.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void askTimesOutOnTheInjectedClock() throws Exception {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("ask-timeout").clock(clock).build()) {
            ActorRef<Request> silent = system.spawn(Props.<Request>of(ctx -> r -> {}), "silent");
            CompletableFuture<Integer> f = silent.ask(reply -> new Request(1, reply), Duration.ofSeconds(5));
            clock.advance(Duration.ofSeconds(4));
            assertFalse(f.isDone(), "not before the timeout");
            clock.advance(Duration.ofSeconds(2));
            assertTrue(f.isDone());
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertInstanceOf(TimeoutException.class, e.getCause());
            assertEquals(1, system.counter(ActorCounter.ASK_TIMEOUTS));
            assertEquals(0, system.wheel().pending(), "timer entries do not linger");
        }
    }

    @Test
    void askCompletesExceptionallyWhenTheTargetStops() throws Exception {
        try (ActorSystem system = ActorSystem.create("ask-stop")) {
            ActorRef<Request> stopper = system.spawn(Props.<Request>of(ctx -> r -> ctx.stop()), "stopper");
            CompletableFuture<Integer> f = stopper.ask(reply -> new Request(1, reply), Duration.ofSeconds(30));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ActorTerminatedException.class, e.getCause());

            CompletableFuture<Integer> g = stopper.ask(reply -> new Request(1, reply), Duration.ofSeconds(30));
            ExecutionException e2 = assertThrows(ExecutionException.class, () -> g.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ActorTerminatedException.class, e2.getCause());
            assertEquals(0, system.counter(ActorCounter.ASK_TIMEOUTS));
        }
    }

    @Test
    void aLateReplyIsADeadLetter() throws Exception {
        ManualClock clock = new ManualClock();
        try (ActorSystem system = ActorSystem.builder("ask-late").clock(clock).build()) {
            java.util.concurrent.atomic.AtomicReference<ActorRef<Integer>> held = new java.util.concurrent.atomic.AtomicReference<>();
            ActorRef<Request> slow = system.spawn(Props.<Request>of(ctx -> r -> held.set(r.replyTo())), "slow");
            CompletableFuture<Integer> f = slow.ask(reply -> new Request(1, reply), Duration.ofSeconds(1));
            TestSupport.await("request handled", () -> held.get() != null);
            clock.advance(Duration.ofSeconds(2));
            assertTrue(f.isCompletedExceptionally());
            assertFalse(held.get().tell(5));
            assertEquals(1, system.counter(ActorCounter.DEAD_LETTERS));
        }
    }
}
