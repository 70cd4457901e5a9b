package io.switchyard.wireguard.noise;

import java.time.Instant;
import java.util.Arrays;

/**
 * TAI64N timestamps as WireGuard's initiation carries them: 8 bytes big-endian of
 * {@code 2^62 + 10 + unix seconds} (the TAI64 label; the 10 is the TAI-UTC offset of 1972 that
 * wireguard-go and the kernel both add) and 4 bytes big-endian nanoseconds.
 *
 * <p>The nanoseconds are rounded down to a multiple of 2^24 (about 16.8 ms), as both reference
 * implementations do, so the timestamp does not leak the initiator's precise clock; 2^24 ns is
 * below the 20 ms initiation rate limit, so two initiations allowed by it still differ.
 * Responders compare stamps as unsigned bytes: a later stamp is strictly greater.
 */
public final class Tai64n {
    public static final int SIZE = 12;
    private static final long BASE = 0x400000000000000aL;
    private static final int WHITENER_MASK = 0x1000000 - 1;

    private Tai64n() {}

    public static byte[] stamp(Instant t) {
        byte[] out = new byte[SIZE];
        long secs = BASE + t.getEpochSecond();
        int nanos = t.getNano() & ~WHITENER_MASK;
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (secs >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
        }
        return out;
    }

    /** Whether {@code candidate} is strictly later than {@code previous}. */
    public static boolean isAfter(byte[] candidate, byte[] previous) {
        return Arrays.compareUnsigned(candidate, previous) > 0;
    }
}
