package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** 100,000 actors that have each handled a message and gone idle hold no thread. */
class IdleActorsTest {

    private static long platformThreadsExceptCarriers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("ForkJoinPool-")).count();
    }

    @Test
    void hundredThousandIdleActorsHoldNoThreads() throws Exception {
        long baseline = platformThreadsExceptCarriers();
        try (ActorSystem system = ActorSystem.builder("idle").build()) {
            int n = 100_000;
            AtomicLong handled = new AtomicLong();
            List<ActorRef<Integer>> refs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                refs.add(system.spawn(Props.<Integer>of(ctx -> m -> handled.incrementAndGet()), "peer"));
            }
            for (ActorRef<Integer> r : refs) {
                r.tell(1);
            }
            await("all handled", () -> handled.get() == n);
            await("all idle", () -> system.runningThreads() == 0);
            assertEquals(n, system.liveActors());
            // Only the system's timer thread is added; no platform thread per actor.
            assertTrue(platformThreadsExceptCarriers() <= baseline + 1,
                    "platform threads grew from " + baseline + " to " + platformThreadsExceptCarriers());
            int carriers = (int) Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ForkJoinPool-")).count();
            assertTrue(carriers <= 256, "carriers: " + carriers);
            // No virtual thread is left on behalf of an idle actor: every activation has ended.
            assertEquals(0, system.runningThreads());
        }
    }
}
