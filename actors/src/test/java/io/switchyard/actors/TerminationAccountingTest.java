package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Stopping an actor while many producers keep telling it: every message is either handled or
 * counted as a dead letter, exactly, including those offered in the race with termination.
 */
class TerminationAccountingTest {

    @ParameterizedTest(name = "dedicated={0}")
    @ValueSource(booleans = {false, true})
    void everyMessageIsHandledOrADeadLetter(boolean dedicated) throws Exception {
        for (int round = 0; round < 5; round++) {
            try (ActorSystem system = ActorSystem.create("accounting")) {
                AtomicLong handled = new AtomicLong();
                ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> handled.incrementAndGet())
                        .withUnboundedMailbox().withThroughput(8).withDedicatedThread(dedicated), "victim");
                int producers = 4;
                int each = 20_000;
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; i < each; i++) {
                            ref.tell(i);
                        }
                    }));
                }
                await("some handled", () -> handled.get() > 1000);
                ref.stop();
                for (Thread t : threads) {
                    t.join();
                }
                await("terminated", ref::isTerminated);
                long total = (long) producers * each;
                await("accounted", () -> system.runningThreads() == 0
                        && handled.get() + system.counter(ActorCounter.DEAD_LETTERS) == total);
                assertEquals(total, handled.get() + system.counter(ActorCounter.DEAD_LETTERS));
                assertTrue(handled.get() < total || system.counter(ActorCounter.DEAD_LETTERS) == 0);
            }
        }
    }
}
