package io.switchyard.wireguard.noise;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/** A wall clock and a monotonic clock that only move when told. */
final class FakeClocks implements InstantSource, LongSupplier {
    private Instant wall = Instant.parse("2026-11-22T06:00:00Z");
    private long nanos = 1_000_000_000L;

    @Override
    public Instant instant() {
        return wall;
    }

    @Override
    public long getAsLong() {
        return nanos;
    }

    void advance(Duration d) {
        wall = wall.plus(d);
        nanos += d.toNanos();
    }

    void setWall(Instant t) {
        wall = t;
    }

    void advanceMonotonicOnly(Duration d) {
        nanos += d.toNanos();
    }
}
