package io.switchyard.control.testing;

import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.control.ControlSnapshot;
import io.switchyard.control.ControlTarget;
import io.switchyard.control.UapiException;
import io.switchyard.wireguard.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** A {@link ControlTarget} over an in-memory configuration, for tests without a hub. */
public final class MemoryTarget implements ControlTarget {
    public final AtomicReference<Config> config;
    public final AtomicInteger applies = new AtomicInteger();
    public volatile int boundPort = 51820;
    public volatile Function<Config, ControlSnapshot> stats = c -> ControlSnapshot.idle(boundPort);
    /** Called on apply; may throw to refuse. */
    public volatile UnaryOperator<Config> gate = c -> c;
    public volatile Reloader reloader;

    public interface Reloader {
        String reload() throws UapiException;
    }

    public MemoryTarget(Config initial) {
        config = new AtomicReference<>(initial);
    }

    @Override
    public Config config() {
        return config.get();
    }

    @Override
    public void apply(Config next) {
        config.set(gate.apply(next));
        applies.incrementAndGet();
    }

    @Override
    public ControlSnapshot snapshot() {
        return stats.apply(config.get());
    }

    @Override
    public int listenPort() {
        return boundPort;
    }

    @Override
    public String reload() throws UapiException {
        Reloader r = reloader;
        return r == null ? ControlTarget.super.reload() : r.reload();
    }

    public static Key32 newPrivateKey() {
        return Key32.of(Keys.generatePrivateKey());
    }

    public static Key32 publicOf(Key32 privateKey) {
        return Key32.of(Keys.publicKey(privateKey.toBytes()));
    }

    public static Config config(String name, Key32 privateKey, List<PeerConfig> peers) {
        return new Config(name, InterfaceConfig.of(privateKey), RouterSettings.defaults(), peers);
    }

    public static PeerConfig peer(Key32 pub, String... prefixes) {
        List<IpPrefix> list = new ArrayList<>();
        for (String p : prefixes) {
            list.add(IpPrefix.parse(p));
        }
        return PeerConfig.of(pub, list);
    }

    public static Key32 randomPublic() {
        return publicOf(newPrivateKey());
    }

    public static Optional<Key32> none() {
        return Optional.empty();
    }
}
