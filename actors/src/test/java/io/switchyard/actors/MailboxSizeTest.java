package io.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ActorRef#mailboxSize()}: what waits while the actor is busy, and nothing once it drained. */
class MailboxSizeTest {
    @Test
    void countsWaitingMessagesAndDrainsToZero() throws Exception {
        try (ActorSystem system = ActorSystem.create("mailbox-size")) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch all = new CountDownLatch(6);
            ActorRef<Integer> ref = system.spawn(Props.<Integer>of(ctx -> m -> {
                if (m == 0) {
                    inside.countDown();
                    release.await();
                }
                all.countDown();
            }).withUnboundedMailbox(), "busy");
            assertEquals(0, ref.mailboxSize());
            ref.tell(0);
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            for (int i = 1; i <= 5; i++) {
                ref.tell(i);
            }
            assertEquals(5, ref.mailboxSize(), "five wait while the first is being handled");
            release.countDown();
            assertTrue(all.await(10, TimeUnit.SECONDS));
            assertEquals(0, ref.mailboxSize());
        }
    }
}
