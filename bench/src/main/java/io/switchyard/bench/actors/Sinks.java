package io.switchyard.bench.actors;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Overflow;
import io.switchyard.actors.Props;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The three ways of getting a message to one consumer that the actor benchmarks compare:
 * our actor (bounded mailbox, refuse on full), a {@link LinkedBlockingQueue} drained by one
 * platform thread (the naive baseline), and a virtual thread started per message. Each counts
 * at the receiver; every {@code offer} that returns false is retried by the caller, so all
 * three exert the same backpressure (at most {@value #BOUND} messages in flight).
 */
final class Sinks {
    static final int BOUND = 1024;

    private Sinks() {}

    interface Sink extends AutoCloseable {
        boolean offer(Long message);

        long received();

        @Override
        void close() throws Exception;
    }

    static Sink create(String kind) {
        return create(kind, Props.DEFAULT_THROUGHPUT);
    }

    static Sink create(String kind, int throughput) {
        return switch (kind) {
            case "actor" -> new ActorSink(false, throughput);
            case "actor-padded" -> new ActorSink(true, throughput);
            case "lbq" -> new QueueSink();
            case "vthread" -> new VirtualThreadSink();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static final class ActorSink implements Sink {
        final ActorSystem system = ActorSystem.create("bench");
        final LongAdder received = new LongAdder();
        final ActorRef<Long> ref;

        ActorSink(boolean padded, int throughput) {
            ref = system.spawn(Props.<Long>of(ctx -> m -> received.increment())
                    .withBoundedMailbox(BOUND, Overflow.REFUSE).withPaddedMailbox(padded).withThroughput(throughput), "sink");
        }

        @Override
        public boolean offer(Long message) {
            return ref.tell(message);
        }

        @Override
        public long received() {
            return received.sum();
        }

        @Override
        public void close() {
            system.shutdown(Duration.ofSeconds(10));
        }
    }

    static final class QueueSink implements Sink {
        final LinkedBlockingQueue<Long> queue = new LinkedBlockingQueue<>(BOUND);
        final LongAdder received = new LongAdder();
        final Thread consumer = Thread.ofPlatform().daemon(true).start(this::consume);

        private void consume() {
            try {
                for (;;) {
                    Long m = queue.take();
                    if (m == Long.MIN_VALUE) {
                        return;
                    }
                    received.increment();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean offer(Long message) {
            return queue.offer(message);
        }

        @Override
        public long received() {
            return received.sum();
        }

        @Override
        public void close() throws InterruptedException {
            queue.put(Long.MIN_VALUE);
            consumer.join();
        }
    }

    static final class VirtualThreadSink implements Sink {
        final AtomicLong inFlight = new AtomicLong();
        final LongAdder received = new LongAdder();

        @Override
        public boolean offer(Long message) {
            if (inFlight.get() >= BOUND) {
                return false;
            }
            inFlight.incrementAndGet();
            Thread.startVirtualThread(() -> {
                received.increment();
                inFlight.decrementAndGet();
            });
            return true;
        }

        @Override
        public long received() {
            return received.sum();
        }

        @Override
        public void close() {
            while (inFlight.get() > 0) {
                Thread.onSpinWait();
            }
        }
    }
}
