package io.switchyard.control;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint: {@code GET /metrics} on the JDK's HTTP server answers with
 * {@link PrometheusText} of a fresh snapshot. Off unless {@code MetricsAddress} is set. Each
 * request runs on its own virtual thread and streams the text as it is written (chunked), so a
 * hub with many peers does not build one large string. Only GET and HEAD are served (405
 * otherwise); every other path is 404. At most {@value #CONCURRENT} scrapes run at once (a
 * snapshot of a large hub is work): more get 429 with {@code Retry-After: 1}, counted. Bound
 * to an address that is not loopback it says so in a warning at start: the endpoint has no
 * authentication, and its per-peer series name every peer's key and traffic.
 */
public final class MetricsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.switchyard.control");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Supplier<ControlSnapshot> snapshots;
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Scrapes allowed at once. */
    static final int CONCURRENT = 2;
    private final Semaphore running = new Semaphore(CONCURRENT);
    private final boolean perPeer;

    private MetricsServer(HttpServer server, ExecutorService executor, Supplier<ControlSnapshot> snapshots, boolean perPeer) {
        this.server = server;
        this.executor = executor;
        this.snapshots = snapshots;
        this.perPeer = perPeer;
    }

    /**
     * Serves {@code /metrics} on {@code address} (port 0 picks a free port).
     *
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, Supplier<ControlSnapshot> snapshots) throws IOException {
        return start(address, snapshots, true);
    }

    /**
     * Serves {@code /metrics} on {@code address}; {@code perPeer} false leaves out the per-peer
     * series (about 480 bytes a peer: 48 MB a scrape at 100,000 peers).
     */
    public static MetricsServer start(InetSocketAddress address, Supplier<ControlSnapshot> snapshots, boolean perPeer)
            throws IOException {
        Objects.requireNonNull(snapshots, "snapshots");
        HttpServer http = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("metrics-", 0).factory());
        MetricsServer m = new MetricsServer(http, executor, snapshots, perPeer);
        http.createContext("/", m::handle);
        http.setExecutor(executor);
        http.start();
        LOG.log(System.Logger.Level.INFO, "metrics on http://{0}/metrics", m.address());
        if (!m.address().getAddress().isLoopbackAddress()) {
            LOG.log(System.Logger.Level.WARNING, "metrics on {0}, not a loopback address: the endpoint has no "
                    + "authentication and names every peer's key and traffic; bind 127.0.0.1 or [::1], or firewall it",
                    m.address());
        }
        return m;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Scrapes answered with 200 (counted when the status is sent). */
    public long scrapes() {
        return scrapes.get();
    }

    /** Scrapes refused with 429 because {@value #CONCURRENT} were running already. */
    public long refused() {
        return refused.get();
    }

    /** Scrapes that failed while taking or writing the snapshot. */
    public long failures() {
        return failures.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/healthz") && (method.equals("GET") || method.equals("HEAD"))) {
                // Liveness for a supervisor or an orchestrator: the hub's process answers. No
                // snapshot, so it is never refused for load and costs nothing at 100k peers.
                byte[] ok = "ok\n".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                ex.sendResponseHeaders(200, method.equals("HEAD") ? -1 : ok.length);
                if (!method.equals("HEAD")) {
                    ex.getResponseBody().write(ok);
                }
                return;
            }
            if (!path.equals("/metrics")) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            if (!running.tryAcquire()) {
                refused.incrementAndGet();
                ex.getResponseHeaders().set("Retry-After", "1");
                ex.sendResponseHeaders(429, -1);
                return;
            }
            try {
                serve(ex, method);
            } finally {
                running.release();
            }
        }
    }

    private void serve(HttpExchange ex, String method) throws IOException {
        {
            ControlSnapshot s;
            try {
                s = snapshots.get();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "metrics snapshot failed", e);
                ex.sendResponseHeaders(500, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            if (method.equals("HEAD")) {
                scrapes.incrementAndGet();
                ex.sendResponseHeaders(200, -1);
                return;
            }
            // counted before the body is written, so a scraper that has read the body sees it
            scrapes.incrementAndGet();
            ex.sendResponseHeaders(200, 0); // 0: chunked
            try (Writer w = new BufferedWriter(new OutputStreamWriter(ex.getResponseBody(), StandardCharsets.UTF_8), 32768)) {
                PrometheusText.write(s, w, perPeer);
            } catch (IOException e) {
                failures.incrementAndGet(); // the scraper went away mid-response
                throw e;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
