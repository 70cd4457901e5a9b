package io.switchyard.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [Switchyard]} section: router settings, each present with its value or its
 * documented default ({@link Setting#defaultValue()}). Immutable; equality is by value.
 */
public final class RouterSettings {
    private static final RouterSettings DEFAULTS = new RouterSettings(new EnumMap<>(Setting.class));

    private final EnumMap<Setting, Object> values;

    private RouterSettings(EnumMap<Setting, Object> explicit) {
        this.values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, explicit.getOrDefault(s, s.defaultValue()));
        }
    }

    /** Every setting at its default. */
    public static RouterSettings defaults() {
        return DEFAULTS;
    }

    /**
     * These settings with {@code setting} parsed from {@code text}.
     *
     * @throws IllegalArgumentException naming what was expected
     */
    public RouterSettings with(Setting setting, String text) {
        var copy = new EnumMap<>(values);
        copy.put(setting, setting.parse(text));
        return new RouterSettings(copy);
    }

    /** The value of a setting: Boolean, Integer, Duration, {@link Setting.Transport}, Endpoint or String. */
    public Object get(Setting setting) {
        return values.get(setting);
    }

    /** The canonical text of a setting's value, as the writer prints it. */
    public String text(Setting setting) {
        return setting.format(values.get(setting));
    }

    /** True if the setting is at its documented default. */
    public boolean isDefault(Setting setting) {
        return values.get(setting).equals(setting.defaultValue());
    }

    /** All values, in declaration order. */
    public Map<Setting, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public Setting.Transport transport() {
        return (Setting.Transport) values.get(Setting.TRANSPORT);
    }

    public int batchSize() {
        return (Integer) values.get(Setting.BATCH_SIZE);
    }

    public boolean gso() {
        return (Boolean) values.get(Setting.GSO);
    }

    public boolean gro() {
        return (Boolean) values.get(Setting.GRO);
    }

    public boolean zeroCopy() {
        return (Boolean) values.get(Setting.ZERO_COPY);
    }

    public int zeroCopyThreshold() {
        return (Integer) values.get(Setting.ZERO_COPY_THRESHOLD);
    }

    public int handshakeWorkers() {
        return (Integer) values.get(Setting.HANDSHAKE_WORKERS);
    }

    public int handshakeQueueSize() {
        return (Integer) values.get(Setting.HANDSHAKE_QUEUE_SIZE);
    }

    /** The configured receive thread count, 0 for auto; see {@link #routerThreads(int)}. */
    public int routerThreads() {
        return (Integer) values.get(Setting.ROUTER_THREADS);
    }

    /**
     * The receive thread count to use on a machine with {@code cores} available processors:
     * {@code auto} is one per four cores, at least one. A router thread with GRO takes a
     * receive-batch of datagrams per call and only copies and classifies them; the crypto runs on
     * the peers' virtual threads on every core. On the 2-core build machine a second router
     * thread cost a third of the 64-byte forwarding rate (docs/perf-e2e.md); more than one pays
     * only where cores are left over.
     */
    public int routerThreads(int cores) {
        int n = routerThreads();
        return n == 0 ? Math.max(1, cores / 4) : n;
    }

    public boolean connectedSockets() {
        return (Boolean) values.get(Setting.CONNECTED_SOCKETS);
    }

    public int socketBufferSize() {
        return (Integer) values.get(Setting.SOCKET_BUFFER_SIZE);
    }

    /** Buffers of {@value #SMALL_BUFFER_BYTES} bytes in the hub's packet pool. */
    public int packetBuffers() {
        return (Integer) values.get(Setting.PACKET_BUFFERS);
    }

    /** Buffers of 64 KiB for datagrams above {@value #SMALL_BUFFER_BYTES} bytes; 0 for none. */
    public int largePacketBuffers() {
        return (Integer) values.get(Setting.LARGE_PACKET_BUFFERS);
    }

    /** The largest datagram the hub accepts, 148..65,535 bytes. */
    public int maxDatagramSize() {
        return (Integer) values.get(Setting.MAX_DATAGRAM_SIZE);
    }

    /** The size of the hub's ordinary packet buffers (what {@link #packetBuffers()} counts). */
    public static final int SMALL_BUFFER_BYTES = 2048;

    /** The metrics listen address, or empty when off. */
    public Optional<Endpoint> metricsAddress() {
        return values.get(Setting.METRICS_ADDRESS) instanceof Endpoint e ? Optional.of(e) : Optional.empty();
    }

    /** Whether the metrics endpoint writes per-peer series. */
    public boolean metricsPerPeer() {
        return (Boolean) values.get(Setting.METRICS_PER_PEER);
    }

    /**
     * The control socket path for interface {@code name}: the configured path, the default
     * {@code /var/run/wireguard/NAME.sock} for auto, or empty when off.
     */
    public Optional<Path> controlSocket(String name) {
        String v = (String) values.get(Setting.CONTROL_SOCKET);
        return switch (v) {
            case "off" -> Optional.empty();
            case "auto" -> Optional.of(Path.of("/var/run/wireguard", name + ".sock"));
            default -> Optional.of(Path.of(v));
        };
    }

    /** Status refresh period; zero means off. */
    public Duration statusInterval() {
        return (Duration) values.get(Setting.STATUS_INTERVAL);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouterSettings r && values.equals(r.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    @Override
    public String toString() {
        var sb = new StringBuilder("RouterSettings{");
        for (Setting s : Setting.values()) {
            if (!isDefault(s)) {
                sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ", ").append(s.key()).append('=').append(text(s));
            }
        }
        return sb.append('}').toString();
    }
}
