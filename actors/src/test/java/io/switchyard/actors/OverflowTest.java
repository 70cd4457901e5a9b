package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bounded mailboxes: exactly the capacity is accepted while the actor is busy; the rest counted. */
class OverflowTest {

    @ParameterizedTest
    @EnumSource(Overflow.class)
    void overflowIsCountedExactly(Overflow policy) throws Exception {
        try (ActorSystem system = ActorSystem.create("overflow")) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicLong received = new AtomicLong();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> {
                if (m == -1) {
                    entered.countDown();
                    release.await();
                }
                received.incrementAndGet();
            }).withBoundedMailbox(100, policy), "bounded");
            int capacity = ((ActorCell<?>) ref).mailboxCapacity();
            assertEquals(128, capacity, "capacity rounds up to a power of two");
            assertTrue(ref.tell(-1));
            entered.await(); // the actor holds message -1; the mailbox is empty
            int extra = 1000;
            int accepted = 0;
            for (int i = 0; i < capacity + extra; i++) {
                if (ref.tell(i)) {
                    accepted++;
                }
            }
            assertEquals(capacity, accepted);
            ActorCounter counter = policy == Overflow.REFUSE ? ActorCounter.MAILBOX_REFUSED : ActorCounter.MAILBOX_OVERFLOW_DROPS;
            ActorCounter other = policy == Overflow.REFUSE ? ActorCounter.MAILBOX_OVERFLOW_DROPS : ActorCounter.MAILBOX_REFUSED;
            assertEquals(extra, system.counter(counter));
            assertEquals(0, system.counter(other));
            release.countDown();
            await("drained", () -> received.get() == capacity + 1);
            assertTrue(ref.tell(7), "accepting again once drained");
            await("last", () -> received.get() == capacity + 2);
            assertEquals(0, system.counter(ActorCounter.DEAD_LETTERS));
        }
    }

    @ParameterizedTest
    @EnumSource(Overflow.class)
    void tellAllStopsAtRefusalButDropsContinue(Overflow policy) throws Exception {
        try (ActorSystem system = ActorSystem.create("overflow-batch")) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> {
                if (m == -1) {
                    entered.countDown();
                    release.await();
                }
            }).withBoundedMailbox(4, policy), "small");
            ref.tell(-1);
            entered.await();
            List<Integer> batch = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                batch.add(i);
            }
            assertEquals(4, ref.tellAll(batch));
            ActorCounter counter = policy == Overflow.REFUSE ? ActorCounter.MAILBOX_REFUSED : ActorCounter.MAILBOX_OVERFLOW_DROPS;
            assertEquals(6, system.counter(counter));
            release.countDown();
        }
    }

    @ParameterizedTest
    @EnumSource(Overflow.class)
    void manyProducersIntoABoundedMailboxAccountForEveryMessage(Overflow policy) throws Exception {
        try (ActorSystem system = ActorSystem.create("overflow-mp")) {
            AtomicLong received = new AtomicLong();
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> received.incrementAndGet())
                    .withBoundedMailbox(16, policy), "contended");
            AtomicLong accepted = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        if (ref.tell(i)) {
                            accepted.incrementAndGet();
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            await("accepted all handled", () -> received.get() == accepted.get());
            long rejected = system.counter(ActorCounter.MAILBOX_OVERFLOW_DROPS) + system.counter(ActorCounter.MAILBOX_REFUSED);
            assertEquals(6 * 20_000, accepted.get() + rejected);
            assertFalse(ref.isTerminated());
        }
    }
}
