package io.switchyard.router.hub;

import io.switchyard.actors.NanoClock;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a hub takes from outside: its sockets (a factory, given the hub's name, called once at
 * start from the starting thread) and its monotonic clock (the actors' timers, the peer engines'
 * timers and the handshake rate limits all read it). {@link #system()} is the real machine;
 * tests pass an in-memory transport and a {@link io.switchyard.actors.ManualClock}.
 */
public record HubEnvironment(Function<String, Sockets> sockets, NanoClock clock) {
    public HubEnvironment {
        Objects.requireNonNull(sockets, "sockets");
        Objects.requireNonNull(clock, "clock");
    }

    /** io-native's sockets, opened on a thread of the hub's own, and System.nanoTime. */
    public static HubEnvironment system() {
        return new HubEnvironment(SocketOpener::new, NanoClock.SYSTEM);
    }
}
