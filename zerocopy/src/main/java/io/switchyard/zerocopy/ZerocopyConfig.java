package io.switchyard.zerocopy;

import java.time.Duration;

/**
 * Tuning of a {@link ZerocopyCompletionTracker}.
 *
 * @param sizeThreshold       sends of fewer payload bytes are always copied; zerocopy costs page
 *                            pinning and a completion, so it only pays for large sends (GSO
 *                            trains). Default {@value #DEFAULT_SIZE_THRESHOLD}.
 * @param maxOutstandingSends zerocopy sends awaiting completion at most, a power of two; beyond
 *                            it sends are copied. Bounds the buffers one socket can pin.
 * @param sampleSends         completed sends per verdict of the back-off policy
 * @param maxCopiedRatio      if more than this fraction of a sample completed COPIED, back off
 * @param initialBackoff      first back-off; doubles on each consecutive failed probe
 * @param maxBackoff          longest back-off
 * @param drainInterval       zerocopy sends between opportunistic error-queue reads before a send
 * @param closeGrace          after the socket is closed, how long outstanding sends are still
 *                            assumed to be read by the kernel (packets sit in qdiscs and
 *                            neighbour queues; ARP gives up after about 3 s) before their buffers
 *                            return to the pool
 */
public record ZerocopyConfig(
        int sizeThreshold,
        int maxOutstandingSends,
        int sampleSends,
        double maxCopiedRatio,
        Duration initialBackoff,
        Duration maxBackoff,
        int drainInterval,
        Duration closeGrace) {

    /** Default size threshold: 10 KiB, a GSO train of about seven MTU-size segments. */
    public static final int DEFAULT_SIZE_THRESHOLD = 10 * 1024;

    /** Validates. */
    public ZerocopyConfig {
        if (sizeThreshold < 0) {
            throw new IllegalArgumentException("sizeThreshold must be >= 0: " + sizeThreshold);
        }
        if (maxOutstandingSends <= 0 || Integer.bitCount(maxOutstandingSends) != 1 || maxOutstandingSends > 1 << 20) {
            throw new IllegalArgumentException("maxOutstandingSends must be a power of two up to 2^20: "
                    + maxOutstandingSends);
        }
        if (sampleSends <= 0) {
            throw new IllegalArgumentException("sampleSends must be positive: " + sampleSends);
        }
        if (!(maxCopiedRatio >= 0 && maxCopiedRatio <= 1)) {
            throw new IllegalArgumentException("maxCopiedRatio must be within [0, 1]: " + maxCopiedRatio);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
        if (drainInterval <= 0) {
            throw new IllegalArgumentException("drainInterval must be positive: " + drainInterval);
        }
        if (closeGrace.isNegative()) {
            throw new IllegalArgumentException("closeGrace must be >= 0");
        }
    }

    /**
     * The defaults: 10 KiB threshold, 256 outstanding sends, verdicts over 32 completed sends,
     * back off when more than half were copied, 1 s doubling to 60 s, an opportunistic drain
     * every 4 zerocopy sends, 5 s close grace.
     */
    public static ZerocopyConfig defaults() {
        return new ZerocopyConfig(DEFAULT_SIZE_THRESHOLD, 256, 32, 0.5,
                Duration.ofSeconds(1), Duration.ofSeconds(60), 4, Duration.ofSeconds(5));
    }

    /** A copy with another size threshold. */
    public ZerocopyConfig withSizeThreshold(int bytes) {
        return new ZerocopyConfig(bytes, maxOutstandingSends, sampleSends, maxCopiedRatio,
                initialBackoff, maxBackoff, drainInterval, closeGrace);
    }

    /** A copy with another outstanding-send limit. */
    public ZerocopyConfig withMaxOutstandingSends(int sends) {
        return new ZerocopyConfig(sizeThreshold, sends, sampleSends, maxCopiedRatio,
                initialBackoff, maxBackoff, drainInterval, closeGrace);
    }

    /** A copy with another back-off policy. */
    public ZerocopyConfig withBackoff(int sampleSends, double maxCopiedRatio, Duration initial, Duration max) {
        return new ZerocopyConfig(sizeThreshold, maxOutstandingSends, sampleSends, maxCopiedRatio,
                initial, max, drainInterval, closeGrace);
    }

    /** A copy with another close grace. */
    public ZerocopyConfig withCloseGrace(Duration grace) {
        return new ZerocopyConfig(sizeThreshold, maxOutstandingSends, sampleSends, maxCopiedRatio,
                initialBackoff, maxBackoff, drainInterval, grace);
    }

    /** A copy with another opportunistic drain interval. */
    public ZerocopyConfig withDrainInterval(int sends) {
        return new ZerocopyConfig(sizeThreshold, maxOutstandingSends, sampleSends, maxCopiedRatio,
                initialBackoff, maxBackoff, sends, closeGrace);
    }
}
