package io.switchyard.router.hub;

import io.switchyard.counters.CounterSet;
import io.switchyard.router.HubEvent;
import io.switchyard.router.HubMetric;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Delivers {@link HubEvent}s to subscribers. Each subscription has its own bounded queue and its
 * own virtual thread calling the listener in order, so a slow or failing listener delays only
 * itself and never the data path; a full queue drops the event and counts it
 * ({@code events.dropped}). Publishing costs nothing while nobody subscribes: callers check
 * {@link #active()} before they build an event.
 */
final class HubEvents implements AutoCloseable {
    static final int QUEUE = 4096;
    private static final System.Logger LOG = System.getLogger("io.switchyard.hub.events");

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean active;
    /** Where events.delivered and events.dropped are counted. */
    private final CounterSet<HubMetric> counts;

    HubEvents(CounterSet<HubMetric> counts) {
        this.counts = counts;
    }

    boolean active() {
        return active;
    }

    void publish(HubEvent e) {
        for (Subscription s : subscriptions) {
            if (!s.queue.offer(e)) {
                counts.increment(HubMetric.EVENTS_DROPPED);
            }
        }
    }

    AutoCloseable subscribe(Consumer<? super HubEvent> listener, String name) {
        Subscription s = new Subscription(listener);
        subscriptions.add(s);
        active = true;
        s.thread = Thread.ofVirtual().name(name).start(s::run);
        return () -> unsubscribe(s);
    }

    private void unsubscribe(Subscription s) {
        if (subscriptions.remove(s)) {
            active = !subscriptions.isEmpty();
            s.thread.interrupt();
        }
    }

    int subscribers() {
        return subscriptions.size();
    }

    @Override
    public void close() {
        for (Subscription s : subscriptions) {
            unsubscribe(s);
        }
    }

    private final class Subscription {
        final ArrayBlockingQueue<HubEvent> queue = new ArrayBlockingQueue<>(QUEUE);
        final Consumer<? super HubEvent> listener;
        Thread thread;
        int failures;

        Subscription(Consumer<? super HubEvent> listener) {
            this.listener = listener;
        }

        void run() {
            while (true) {
                HubEvent e;
                try {
                    e = queue.take();
                } catch (InterruptedException stop) {
                    return;
                }
                try {
                    listener.accept(e);
                    counts.increment(HubMetric.EVENTS_DELIVERED);
                } catch (RuntimeException | Error t) {
                    // The listener's bug: keep delivering, say so a few times.
                    if (failures++ < 3) {
                        LOG.log(System.Logger.Level.WARNING, "hub event listener failed on " + e, t);
                    }
                }
            }
        }
    }
}
