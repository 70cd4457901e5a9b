package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * More never-draining actors than carrier threads: without the per-activation budget and yield
 * they would hold every carrier forever and the victim would never run.
 */
class FairnessTest {

    @Test
    void floodingActorsDoNotStarveOthers() throws Exception {
        try (ActorSystem system = ActorSystem.create("fair")) {
            int flooders = Runtime.getRuntime().availableProcessors() * 2 + 2;
            List<AtomicLong> progress = new ArrayList<>();
            List<ActorRef<Integer>> refs = new ArrayList<>();
            for (int i = 0; i < flooders; i++) {
                AtomicLong p = new AtomicLong();
                progress.add(p);
                // Each message re-sends itself: the mailbox never drains.
                refs.add(system.spawn(Props.<Integer>of(ctx -> m -> {
                    p.incrementAndGet();
                    ctx.self().tell(m);
                }).withThroughput(16), "flood" + i));
            }
            for (ActorRef<Integer> r : refs) {
                r.tell(0);
            }
            await("flooding", () -> progress.stream().allMatch(p -> p.get() > 1000));

            CountDownLatch victimRan = new CountDownLatch(1);
            ActorRef<String> victim = system.spawn(Props.<String>of(ctx -> m -> victimRan.countDown()), "victim");
            victim.tell("hello");
            assertTrue(victimRan.await(30, TimeUnit.SECONDS), "victim starved by flooding actors");

            // Every flooder keeps progressing too.
            long[] before = progress.stream().mapToLong(AtomicLong::get).toArray();
            await("all flooders progress", () -> {
                for (int i = 0; i < flooders; i++) {
                    if (progress.get(i).get() <= before[i] + 100) {
                        return false;
                    }
                }
                return true;
            });
            assertTrue(system.counter(ActorCounter.YIELDS) > 0);
            for (ActorRef<Integer> r : refs) {
                r.stop();
            }
            await("flooders stopped", () -> refs.stream().allMatch(ActorRef::isTerminated));
        }
    }
}
