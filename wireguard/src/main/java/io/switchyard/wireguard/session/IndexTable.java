package io.switchyard.wireguard.session;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * Receiver indexes: the random 32-bit numbers a peer puts in every message to us so we find the
 * handshake or keypair without trying keys. Random (not sequential) so they reveal nothing about
 * how many sessions we hold; drawn until one is free, so never two owners at once. Zero is never
 * issued, so callers may use it as "none".
 *
 * <p>The same index follows a session from handshake to keypair ({@link #replace}), as in
 * wireguard-go. Thread-safe (a {@link ConcurrentHashMap}); a lookup boxes the int, which escape
 * analysis usually removes on the receive path.
 */
public final class IndexTable<T> {
    private final ConcurrentHashMap<Integer, T> entries = new ConcurrentHashMap<>();
    private final RandomGenerator random;

    public IndexTable() {
        this(new SecureRandom());
    }

    /** With a given random source (tests force collisions with it). */
    public IndexTable(RandomGenerator random) {
        this.random = random;
    }

    /** Registers {@code value} under a fresh random index and returns the index. */
    public int register(T value) {
        while (true) {
            int index = random.nextInt();
            if (index != 0 && entries.putIfAbsent(index, value) == null) {
                return index;
            }
        }
    }

    public T get(int index) {
        return entries.get(index);
    }

    /** Moves {@code index} from {@code expected} to {@code value}; false if it no longer maps to {@code expected}. */
    public boolean replace(int index, T expected, T value) {
        return entries.replace(index, expected, value);
    }

    /** Frees {@code index} if it still maps to {@code value}. */
    public boolean remove(int index, T value) {
        return entries.remove(index, value);
    }

    public int size() {
        return entries.size();
    }
}
