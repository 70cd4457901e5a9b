package io.switchyard.wireguard.session;

import io.switchyard.wireguard.WireGuard;

import java.util.Arrays;

/**
 * The receive-side replay filter of one session: accepts each 64-bit message counter at most once,
 * and only while it is no more than {@link WireGuard#COUNTER_WINDOW_SIZE} (8,128) behind the
 * greatest counter accepted so far. Counters are unsigned; those at or above
 * {@link WireGuard#REJECT_AFTER_MESSAGES} are never accepted.
 *
 * <h2>Two steps, because only authenticated packets may move the window</h2>
 * {@link #mayAccept(long)} is the cheap pre-check done before decrypting: it reads the window and
 * never changes it, so a forged packet with a huge counter and a bad tag cannot slide the window
 * forward and make every genuine packet look "too old". {@link #accept(long)} is called after the
 * packet authenticated; it repeats the check (another packet with the same counter may have been
 * accepted in between) and records the counter.
 *
 * <h2>Algorithm (the Linux kernel's counter.c, RFC 6479)</h2>
 * A ring of {@value #RING_WORDS} longs holds {@value WireGuard#COUNTER_BITS_TOTAL} bits; bit
 * {@code n mod 8192} says whether {@code n} was seen, where {@code n = counter + 1} (so that zero
 * can mean "nothing seen yet"). {@code top} is the greatest {@code n} accepted. A counter ahead of
 * {@code top} zeroes the words between the old and the new head (at most the whole ring, however
 * far it jumps) and becomes the head; one behind is checked against its bit. The window is one
 * word short of the ring: the words the head moves into last held counters 128 words back, which
 * are then already outside the window, so zeroing them never erases a bit that still matters;
 * that is why the usable window is 8192 - 64 bits.
 *
 * <p>Not thread-safe: a session's receive path belongs to one peer actor at a time. Allocation
 * free; {@link #mayAccept} and {@link #accept} are O(1) except for the bounded zeroing on a move.
 */
public final class ReplayWindow {
    private static final int WORD_SHIFT = 6;
    static final int RING_WORDS = WireGuard.COUNTER_BITS_TOTAL / Long.SIZE;
    private static final int RING_MASK = RING_WORDS - 1;
    private static final long WINDOW = WireGuard.COUNTER_WINDOW_SIZE;
    private static final long LIMIT = WireGuard.REJECT_AFTER_MESSAGES;

    private final long[] ring = new long[RING_WORDS];
    /** Greatest accepted counter plus one; 0 before the first. Unsigned. */
    private long top;

    /** An empty window: the next counter accepted may be any value below the limit. */
    public ReplayWindow() {}

    /**
     * Whether {@code counter} would be accepted now: below the limit, inside the window and not
     * yet seen. Never changes the window.
     */
    public boolean mayAccept(long counter) {
        if (Long.compareUnsigned(counter, LIMIT) >= 0) {
            return false;
        }
        long n = counter + 1; // cannot wrap: counter < LIMIT < 2^64 - 1
        if (Long.compareUnsigned(n, top) > 0) {
            return true;
        }
        // n <= top < LIMIT + 1, so n + WINDOW cannot wrap either.
        if (Long.compareUnsigned(n + WINDOW, top) < 0) {
            return false;
        }
        return (ring[(int) (n >>> WORD_SHIFT) & RING_MASK] & (1L << n)) == 0;
    }

    /**
     * Records {@code counter} of a packet that authenticated. Returns {@code false}, and changes
     * nothing, if it is a replay, too old, or at/above the limit.
     */
    public boolean accept(long counter) {
        if (Long.compareUnsigned(counter, LIMIT) >= 0) {
            return false;
        }
        long n = counter + 1;
        long index = n >>> WORD_SHIFT;
        if (Long.compareUnsigned(n, top) > 0) {
            long current = top >>> WORD_SHIFT;
            // Jumping further than the ring wipes it once; no need to spin through the gap.
            long words = Math.min(index - current, RING_WORDS);
            for (long i = 1; i <= words; i++) {
                ring[(int) (current + i) & RING_MASK] = 0;
            }
            top = n;
        } else if (Long.compareUnsigned(n + WINDOW, top) < 0) {
            return false;
        }
        int word = (int) index & RING_MASK;
        long bit = 1L << n; // shift distance is taken mod 64
        long old = ring[word];
        ring[word] = old | bit;
        return (old & bit) == 0;
    }

    /**
     * The greatest counter accepted so far, or -1 (all ones, unsigned max) if none was; useful for
     * diagnostics only.
     */
    public long greatestAccepted() {
        return top - 1;
    }

    /** Forgets every counter seen, as for a fresh session. */
    public void reset() {
        Arrays.fill(ring, 0L);
        top = 0;
    }
}
