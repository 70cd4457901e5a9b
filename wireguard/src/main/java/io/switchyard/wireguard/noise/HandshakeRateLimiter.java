package io.switchyard.wireguard.noise;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.switchyard.wireguard.WireGuard;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Per-source token buckets for handshake messages under load: {@link WireGuard#HANDSHAKES_PER_SECOND}
 * per second with a burst of {@link WireGuard#HANDSHAKE_BURST}, a source being an IPv4 address or
 * an IPv6 /64 (one host usually owns a whole /64, so per-address buckets would be free to evade).
 *
 * <p>Algorithm (wireguard-go's ratelimiter): tokens are nanoseconds of credit, one handshake
 * costs {@code 1 s / rate}, a bucket holds at most {@code burst} handshakes' worth and refills
 * with elapsed time. The table is a Caffeine cache, bounded in entries and expiring buckets idle
 * for a second (a full bucket is the same as no bucket), so a flood of sources costs bounded
 * memory. When the table is full a new source is refused, as the kernel's ratelimiter does:
 * evicting a tracked source instead would hand it a fresh burst, and a flood of new sources
 * could keep every bucket full. (Under load only sources that answered a cookie, so that can
 * receive at their address, reach the limiter.) Both the buckets and the cache read the
 * injected clock.
 */
public final class HandshakeRateLimiter {
    private static final long COST = Duration.ofSeconds(1).toNanos() / WireGuard.HANDSHAKES_PER_SECOND;
    private static final long MAX_TOKENS = COST * WireGuard.HANDSHAKE_BURST;

    private static final class Bucket {
        long tokens;
        long lastNanos;
    }

    private final Cache<Key, Bucket> buckets;
    private final LongSupplier nanoClock;
    private final long maxSources;

    private record Key(long high, long low) {}

    /** @param maxSources how many sources are tracked at most (a new one is refused while that many are) */
    public HandshakeRateLimiter(long maxSources, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.maxSources = maxSources;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxSources + 1) // the bound is enforced below, refusing; this only backs it
                .expireAfterAccess(Duration.ofSeconds(1))
                .ticker(nanoClock::getAsLong)
                .executor(Runnable::run) // evict on the caller: deterministic, no pool threads
                .build();
    }

    /** Whether a handshake from {@code source} may be processed now; takes a token if so. */
    public boolean allow(InetAddress source) {
        Key key = keyOf(source);
        long now = nanoClock.getAsLong();
        if (buckets.getIfPresent(key) == null && buckets.estimatedSize() >= maxSources) {
            buckets.cleanUp(); // expired buckets may still be counted
            if (buckets.estimatedSize() >= maxSources) {
                return false;
            }
        }
        Bucket b = buckets.get(key, k -> {
            Bucket fresh = new Bucket();
            fresh.tokens = MAX_TOKENS;
            fresh.lastNanos = now;
            return fresh;
        });
        synchronized (b) {
            b.tokens = Math.min(MAX_TOKENS, b.tokens + Math.max(0, now - b.lastNanos));
            b.lastNanos = now;
            if (b.tokens >= COST) {
                b.tokens -= COST;
                return true;
            }
            return false;
        }
    }

    /** Sources currently tracked (after pending evictions). */
    public long trackedSources() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private static Key keyOf(InetAddress source) {
        byte[] a = source.getAddress();
        if (a.length == 4) {
            // IPv4 keys can't collide with IPv6 ones: the low word is never zero for a /64 key.
            return new Key(ByteBuffer.wrap(a).getInt() & 0xffffffffL, 0);
        }
        return new Key(ByteBuffer.wrap(a).getLong(), 1);
    }
}
