package io.switchyard.actors;

import java.util.Arrays;

/**
 * Offers messages to many actors and then wakes each destination once: the batch form of
 * {@link ActorRef#tell} for a producer that spreads one input batch over many actors (the
 * router's per-destination fan-out). Messages are enqueued at {@link #offer} (a destination
 * that is already running may take them at once); {@link #flush} performs the activations.
 *
 * <p>Not thread-safe: one per producer thread, reused across batches. Allocation-free once
 * its array has grown to the number of destinations per batch.
 */
public final class Fanout {
    private ActorCell<?>[] touched = new ActorCell<?>[16];
    private int size;

    /**
     * Enqueues {@code message} for {@code target} without waking it. Returns whether it was
     * accepted (false: stopped or mailbox full, counted as for {@code tell}).
     */
    public <M> boolean offer(ActorRef<M> target, M message) {
        if (!(target instanceof ActorCell<M> cell)) {
            return target.tell(message);
        }
        if (!cell.offerQuiet(message)) {
            return false;
        }
        // Consecutive offers to one destination are the common case; other duplicates cost
        // one more (cheap) check at flush, which wakes only a destination with queued messages.
        if (size == 0 || touched[size - 1] != cell) {
            if (size == touched.length) {
                touched = Arrays.copyOf(touched, size * 2);
            }
            touched[size++] = cell;
        }
        return true;
    }

    /** Wakes every destination offered to since the last flush; returns how many were recorded. */
    public int flush() {
        int n = size;
        for (int i = 0; i < n; i++) {
            touched[i].wakeIfQueued();
            touched[i] = null;
        }
        size = 0;
        return n;
    }
}
