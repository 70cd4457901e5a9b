package io.switchyard.bench.actors;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Retained heap per idle actor: heap used after GC with N idle actors (each has started and
 * handled one message) minus heap used after GC before spawning them, divided by N. Prints
 * one line per round; run with a fixed heap so the collector does not resize under us:
 * {@code java -Xms2g -Xmx2g -XX:+UseParallelGC -cp ... io.switchyard.bench.actors.IdleActorHeap [n] [rounds] [padded]}.
 */
public final class IdleActorHeap {
    private IdleActorHeap() {}

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean padded = args.length > 2 && args[2].equals("padded");
        for (int round = 0; round < rounds; round++) {
            ActorSystem system = ActorSystem.create("heap");
            LongAdder handled = new LongAdder();
            Props<Integer> props = Props.<Integer>of(ctx -> m -> handled.increment()).withPaddedMailbox(padded);
            List<ActorRef<Integer>> refs = new ArrayList<>(n);
            long before = usedAfterGc();
            for (int i = 0; i < n; i++) {
                refs.add(system.spawn(props, "peer"));
            }
            for (ActorRef<Integer> r : refs) {
                r.tell(i(r));
            }
            while (handled.sum() < n || system.runningThreads() > 0) {
                Thread.sleep(10);
            }
            long after = usedAfterGc();
            // the refs list itself: 4-byte compressed pointers plus the array header
            long listBytes = 16L + 4L * n;
            double perActor = (after - before - listBytes) / (double) n;
            System.out.printf("round %d: %d idle actors%s, %.0f bytes/actor retained (runningThreads=%d, live=%d)%n",
                    round, n, padded ? " (padded mailboxes)" : "", perActor, system.runningThreads(), system.liveActors());
            refs.clear();
            system.shutdown(Duration.ofSeconds(30));
        }
    }

    private static Integer i(Object o) {
        return 1;
    }
}
