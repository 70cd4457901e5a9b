package io.switchyard.cli;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import io.switchyard.config.ConfigException;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.ConfigWatcher;
import io.switchyard.config.Endpoint;
import io.switchyard.config.ParsedConfig;
import io.switchyard.control.HubControl;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubEvent;
import io.switchyard.router.HubStats;
import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code switchyard up FILE}: runs a hub from a wg-quick style file in the foreground.
 *
 * <ul>
 *   <li>Parse problems are printed as {@code file:line:column: severity: message}; errors stop
 *       it (exit 1), warnings do not.</li>
 *   <li>Every {@code StatusInterval} one status line goes to standard output:
 *       {@code --status-format=text} for people, {@code json} for programs (one object per line:
 *       the totals of {@link HubStats}, {@code forwarded}, {@code consumed}, {@code dropped} and
 *       {@code drops} by {@link DropReason} name).</li>
 *   <li>The file is reloaded through {@link Hub#apply} on SIGHUP and when it changes on disk
 *       ({@link ConfigWatcher}); a refused file leaves the running configuration as it was.</li>
 *   <li>SIGTERM and SIGINT stop the hub cleanly; exit status 0.</li>
 * </ul>
 * Messages about the hub's life (started, reloaded, refused, stopped) go to standard error.
 */
@Command(name = "up", description = "Run a hub from a wg-quick style config file in the foreground.")
final class UpCommand implements Callable<Integer> {
    enum StatusFormat { text, json }

    /** Which of the hub's events {@code up} writes a line for. */
    enum EventLines { none, peers, handshakes }

    @Parameters(index = "0", paramLabel = "CONFIG",
            description = "The configuration file (e.g. ./wg0.conf), or an interface name (wg0) for "
                    + "/etc/wireguard/wg0.conf, as wg-quick takes them.")
    Path file;

    /** Where an interface name's file is looked for (wg-quick's directory; tests change it). */
    static Path configDir = Path.of("/etc/wireguard");

    /** wg-quick's rule for what is an interface name rather than a path. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_=+.-]{1,15}");

    /**
     * The file {@code arg} names: itself when it exists or is not an interface name, otherwise
     * {@code <configDir>/<arg>.conf} (so {@code up wg0} finds /etc/wireguard/wg0.conf, while
     * {@code up wg0.conf} still means the file in this directory, where wg-quick would look for
     * /etc/wireguard/wg0.conf.conf).
     */
    static Path resolve(Path arg) {
        String s = arg.toString();
        if (Files.exists(arg) || !INTERFACE_NAME.matcher(s).matches()) {
            return arg;
        }
        return configDir.resolve(s + ".conf");
    }

    @Option(names = "--status-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Status line format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    StatusFormat statusFormat;

    @Option(names = "--events", paramLabel = "WHICH", defaultValue = "peers",
            description = "Lines on stderr for the hub's events: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: "
                    + "peers up and down, roaming; handshakes: every completed handshake too).")
    EventLines events;

    @Option(names = "--no-watch", description = "Do not reload when the file changes (SIGHUP still reloads).")
    boolean noWatch;

    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Hub hub;

    @Override
    public Integer call() throws Exception {
        installSignals(System.err);
        return run(System.out, System.err);
    }

    /** Asks a running {@link #run} to stop (what SIGTERM and SIGINT do). */
    void stop() {
        stop.countDown();
    }

    /** The running hub, or null before start and after stop (for tests). */
    Hub hub() {
        return hub;
    }

    int run(PrintStream out, PrintStream err) throws InterruptedException {
        ParsedConfig parsed;
        file = resolve(file);
        try {
            parsed = ConfigParser.parse(file);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.println("switchyard up: " + file + " has errors; not started");
            return 1;
        }
        parsed.warnings().forEach(err::println);
        Config config = parsed.config();
        Hub h;
        try {
            h = Hub.start(config);
        } catch (IOException | RuntimeException e) {
            err.println("switchyard up: cannot start: " + e.getMessage());
            return 1;
        }
        hub = h;
        err.println("switchyard: hub " + config.name() + " listening on " + h.localAddress()
                + " with " + config.peers().size() + " peer(s)");
        err.println("switchyard: ChaCha20-Poly1305 above " + HybridChaCha20Poly1305.IN_PLACE_MAX + " B: "
                + HybridChaCha20Poly1305.longMessageEngine());
        if (events != EventLines.none) {
            EventLines which = events;
            h.subscribe(e -> {
                String line = describe(e, which);
                if (line != null) {
                    err.println(line);
                }
            }); // ends when the hub closes
        }
        HubControl control;
        try {
            control = HubControl.start(h, Optional.of(file));
        } catch (IOException | RuntimeException e) {
            err.println("switchyard up: cannot open the control socket or metrics endpoint: " + e.getMessage());
            h.close();
            hub = null;
            return 1;
        }
        ConfigWatcher watcher = null;
        try {
            ConfigWatcher.Listener listener = new ConfigWatcher.Listener() {
                @Override
                public void apply(ParsedConfig next) {
                    reload(h, next, err);
                }

                @Override
                public void reject(ConfigException error) {
                    error.problems().forEach(err::println);
                    err.println("switchyard: " + file + " refused; the running configuration is unchanged");
                }
            };
            if (!noWatch) {
                try {
                    watcher = ConfigWatcher.start(file, Duration.ofMillis(300), listener);
                } catch (IOException e) {
                    err.println("switchyard: not watching " + file + " (" + e.getMessage() + "); SIGHUP still reloads");
                }
            }
            ConfigWatcher w = watcher;
            reloader = w != null ? w::reload : () -> {
                try {
                    listener.apply(ConfigParser.parse(file));
                } catch (ConfigException e) {
                    listener.reject(e);
                }
            };
            Duration interval = config.settings().statusInterval();
            if (interval.isZero()) {
                stop.await();
            } else {
                while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
                    out.println(statusLine(h.stats(), statusFormat));
                    out.flush();
                }
            }
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            control.close();
            h.close();
            hub = null;
            err.println("switchyard: hub " + config.name() + " stopped");
        }
        return 0;
    }

    /**
     * The line for {@code e} at {@code which}, or null for none: peers up and down and roaming
     * (a few lines a day per peer), completed handshakes only when asked (one per peer every two
     * minutes while it talks: 800 lines a second at 100,000 peers). Drops are in the status lines.
     */
    static String describe(HubEvent e, EventLines which) {
        return switch (e) {
            case HubEvent.PeerUp u -> "switchyard: peer " + u.peer().toBase64() + " up, endpoint " + endpoint(u.endpoint());
            case HubEvent.PeerDown d -> "switchyard: peer " + d.peer().toBase64() + " down ("
                    + (d.cause() == HubEvent.PeerDown.Cause.SESSION_EXPIRED ? "no handshake for 180 s" : "removed") + ")";
            case HubEvent.EndpointChanged c -> "switchyard: peer " + c.peer().toBase64() + " roamed from "
                    + endpoint(c.from()) + " to " + endpoint(c.to());
            case HubEvent.HandshakeCompleted h when which == EventLines.handshakes ->
                    "switchyard: peer " + h.peer().toBase64() + " handshake completed, endpoint " + endpoint(h.endpoint());
            default -> null;
        };
    }

    private static String endpoint(InetSocketAddress a) {
        return a == null || a.getAddress() == null || a.getPort() == 0 ? "none" : Endpoint.of(a).toString();
    }

    private volatile Runnable reloader = () -> {};

    /** Reloads the file now (SIGHUP). */
    void reloadNow() {
        reloader.run();
    }

    private static void reload(Hub h, ParsedConfig next, PrintStream err) {
        try {
            Config running = h.config();
            ConfigDiff diff = ConfigDiff.between(running, next.config());
            if (diff.isEmpty()) {
                return; // the watcher's initial load, or a save with no change that matters
            }
            next.warnings().forEach(err::println);
            h.apply(next.config());
            err.println("switchyard: reloaded: " + diff);
        } catch (IllegalArgumentException e) {
            err.println("switchyard: reload refused: " + e.getMessage());
        } catch (IllegalStateException e) {
            // A SIGHUP or a file change racing the shutdown: the hub is already closed.
            err.println("switchyard: reload not applied: " + e.getMessage());
        }
    }

    /** The handlers {@link #installSignals} replaced, to put back with {@link #restoreSignals}. */
    private final Map<sun.misc.Signal, sun.misc.SignalHandler> replacedHandlers = new java.util.LinkedHashMap<>();

    /**
     * TERM and INT stop, HUP reloads (on a thread of its own: the JVM's signal thread must not
     * parse files). Package-private so tests can install the real handlers in their own JVM and
     * {@linkplain #restoreSignals put the JVM's back} afterwards.
     */
    void installSignals(PrintStream err) {
        try {
            replace("TERM", s -> stop());
            replace("INT", s -> stop());
            sun.misc.SignalHandler before = replace("HUP", s -> Thread.ofPlatform().daemon().start(this::reloadNow));
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // Started with SIGHUP ignored (nohup, some supervisors): the JVM then silently
                // keeps it ignored and our handler never runs. Say so rather than fail quietly.
                err.println("switchyard: SIGHUP is ignored by this process (started under nohup?); "
                        + "reload with `switchyard reload` or by editing the file");
            }
        } catch (IllegalArgumentException e) {
            // A signal the platform does not have (or the JVM reserves): fall back to a hook.
            Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        }
    }

    private sun.misc.SignalHandler replace(String name, sun.misc.SignalHandler handler) {
        sun.misc.Signal signal = new sun.misc.Signal(name);
        sun.misc.SignalHandler before = sun.misc.Signal.handle(signal, handler);
        replacedHandlers.putIfAbsent(signal, before);
        return before;
    }

    /** Puts back the handlers {@link #installSignals} replaced (tests; the JVM's own exit on TERM). */
    void restoreSignals() {
        replacedHandlers.forEach(sun.misc.Signal::handle);
        replacedHandlers.clear();
    }

    /** One status line of {@code s} in {@code format}. */
    static String statusLine(HubStats s, StatusFormat format) {
        long forwarded = s.counters().getOrDefault("forwarded", 0L);
        long consumed = s.counters().getOrDefault("consumed", 0L);
        if (format == StatusFormat.json) {
            var sb = new StringBuilder(512).append('{');
            sb.append("\"time\":\"").append(Instant.now()).append('"');
            field(sb, "peers", s.peers().size());
            field(sb, "rxPackets", s.rxPackets());
            field(sb, "rxBytes", s.rxBytes());
            field(sb, "txPackets", s.txPackets());
            field(sb, "txBytes", s.txBytes());
            field(sb, "handshakesCompleted", s.handshakesCompleted());
            field(sb, "cookieRepliesSent", s.cookieRepliesSent());
            field(sb, "forwarded", forwarded);
            field(sb, "consumed", consumed);
            field(sb, "dropped", s.dropped());
            sb.append(",\"drops\":{");
            boolean first = true;
            for (DropReason r : DropReason.values()) {
                sb.append(first ? "" : ",").append('"').append(r.name()).append("\":").append(s.drops().get(r));
                first = false;
            }
            return sb.append("}}").toString();
        }
        var sb = new StringBuilder(256);
        sb.append("status: peers ").append(s.peers().size())
                .append(", rx ").append(s.rxPackets()).append(" pkts/").append(s.rxBytes()).append(" B")
                .append(", tx ").append(s.txPackets()).append(" pkts/").append(s.txBytes()).append(" B")
                .append(", handshakes ").append(s.handshakesCompleted())
                .append(", forwarded ").append(forwarded)
                .append(", dropped ").append(s.dropped());
        String nonZero = s.drops().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().name() + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("");
        if (!nonZero.isEmpty()) {
            sb.append(" (").append(nonZero).append(')');
        }
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, long value) {
        sb.append(",\"").append(name).append("\":").append(value);
    }
}
