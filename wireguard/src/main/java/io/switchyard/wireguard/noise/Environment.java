package io.switchyard.wireguard.noise;

import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.WireGuard;
import java.time.InstantSource;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the handshake takes from outside, injectable so it can be replayed against fixed vectors
 * and driven by a fake clock: the ephemeral private keys, the wall clock for TAI64N, a monotonic
 * nanosecond clock for rate limits, and the prologue (WireGuard's identifier string).
 */
public record Environment(Supplier<byte[]> ephemeralKeys, InstantSource wallClock, LongSupplier nanoClock, byte[] prologue) {
    public static Environment system() {
        return new Environment(X25519::generatePrivateKey, InstantSource.system(), System::nanoTime, WireGuard.IDENTIFIER);
    }
}
