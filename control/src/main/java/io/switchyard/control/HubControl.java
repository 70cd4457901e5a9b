package io.switchyard.control;

import io.switchyard.config.Config;
import io.switchyard.config.Endpoint;
import io.switchyard.counters.Metric;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import jdk.jfr.FlightRecorder;

/**
 * The control plane of one running {@link Hub}: its {@code wg} control socket (unless
 * {@code ControlSocket = off}) and its metrics endpoint (when {@code MetricsAddress} is set), both
 * as the hub's configuration says, and {@code switchyard reload} from the file it was started from.
 * Start it right after the hub and close it before the hub:
 * <pre>{@code
 * try (Hub hub = Hub.start(config);
 *      HubControl control = HubControl.start(hub, Optional.of(file))) {
 *     ...
 * }
 * }</pre>
 * (try-with-resources closes in reverse order, so the socket goes away before the hub does).
 */
public final class HubControl implements ControlTarget, AutoCloseable {
    private final Hub hub;
    private final Optional<Path> file;
    private ControlServer control;
    private MetricsServer metrics;
    private final Runnable periodic = this::emitStatistics;

    private HubControl(Hub hub, Optional<Path> file) {
        this.hub = hub;
        this.file = file;
    }

    /**
     * Opens the control socket and the metrics endpoint that {@code hub}'s configuration asks for.
     *
     * @param file the configuration file the hub was started from, for {@code switchyard reload};
     *     empty for a hub configured in code (reload then answers EOPNOTSUPP)
     * @throws IOException if the socket path is in use by a running process or the metrics
     *     address cannot be bound; nothing stays open then
     */
    public static HubControl start(Hub hub, Optional<Path> file) throws IOException {
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(file, "file");
        HubControl c = new HubControl(hub, file);
        Config config = hub.config();
        try {
            Optional<Path> socket = config.controlSocket();
            if (socket.isPresent()) {
                c.control = ControlServer.start(socket.get(), c);
            }
            Optional<Endpoint> m = config.settings().metricsAddress();
            if (m.isPresent()) {
                c.metrics = MetricsServer.start(new InetSocketAddress(m.get().host(), m.get().port()), c::snapshot,
                        config.settings().metricsPerPeer());
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        FlightRecorder.addPeriodicEvent(HubStatisticsEvent.class, c.periodic);
        return c;
    }

    /** The control socket, if on. */
    public Optional<ControlServer> controlServer() {
        return Optional.ofNullable(control);
    }

    /** The metrics endpoint, if on. */
    public Optional<MetricsServer> metricsServer() {
        return Optional.ofNullable(metrics);
    }

    @Override
    public Config config() {
        return hub.config();
    }

    @Override
    public void apply(Config next) {
        hub.apply(next);
    }

    @Override
    public int listenPort() {
        return hub.localAddress().getPort();
    }

    @Override
    public ControlSnapshot snapshot() {
        return snapshot(hub.stats(), listenPort());
    }

    @Override
    public String reload() throws UapiException {
        if (file.isEmpty()) {
            return ControlTarget.super.reload();
        }
        return FileReload.reload(file.get(), hub.config(), hub::apply);
    }

    /**
     * The hub's stats as the control plane reports them: drop reasons by their lower-case enum
     * name ({@code no_route}), in the enum's order; metrics sorted by name.
     */
    public static ControlSnapshot snapshot(HubStats s, int listenPort) {
        List<PeerSnapshot> peers = new ArrayList<>(s.peers().size());
        for (PeerStats p : s.peers()) {
            peers.add(new PeerSnapshot(p.publicKey(), p.endpoint(), p.lastHandshake(), p.rxPackets(), p.rxBytes(),
                    p.txPackets(), p.txBytes(), p.allowedIps(), p.persistentKeepaliveSeconds(), drops(p.drops())));
        }
        return new ControlSnapshot(listenPort, s.rxPackets(), s.rxBytes(), s.txPackets(), s.txBytes(),
                s.handshakesCompleted(), s.cookieRepliesSent(), drops(s.drops()),
                s.metrics().stream().sorted(java.util.Comparator.comparing(Metric::name)).toList(), peers);
    }

    /** The label of a drop reason in metrics, status and {@code switchyard show}. */
    public static String label(DropReason r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    private static Map<String, Long> drops(Map<DropReason, Long> drops) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            Long v = drops.get(r);
            if (v != null) {
                m.put(label(r), v);
            }
        }
        return m;
    }

    private void emitStatistics() {
        HubStatisticsEvent e = new HubStatisticsEvent();
        if (!e.shouldCommit()) {
            return;
        }
        HubStats s;
        try {
            s = hub.stats();
        } catch (IllegalStateException closed) {
            return; // the hub closed before this control plane did
        }
        e.iface = hub.config().name();
        e.peers = s.peers().size();
        e.rxPackets = s.rxPackets();
        e.rxBytes = s.rxBytes();
        e.txPackets = s.txPackets();
        e.txBytes = s.txBytes();
        e.handshakesCompleted = s.handshakesCompleted();
        e.cookieRepliesSent = s.cookieRepliesSent();
        e.dropped = s.dropped();
        e.commit();
    }

    /**
     * Closes the control socket (removing its file) and the metrics endpoint and stops the
     * periodic {@link HubStatisticsEvent}; not the hub.
     */
    @Override
    public void close() {
        FlightRecorder.removePeriodicEvent(periodic);
        if (control != null) {
            control.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
