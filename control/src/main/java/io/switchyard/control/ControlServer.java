package io.switchyard.control;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigDiff;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code wg} control socket: a unix stream socket (by default
 * {@code /var/run/wireguard/NAME.sock}, where {@code wg} looks for userspace interfaces) speaking
 * the {@link Uapi} protocol, so that stock {@code wg show}, {@code wg showconf}, {@code wg set}
 * and {@code wg syncconf} work against the hub.
 *
 * <p>Setup. The socket is bound inside a fresh mode-0700 directory beside the target, made 0600
 * and then renamed over the target path, so it is never reachable with wider permissions (the
 * JDK cannot set the umask) and a stale socket left by a crashed process is replaced atomically.
 * A socket that still accepts connections belongs to a running process: {@link #start} then
 * fails rather than steal it (wireguard-go does the same). Anything at the path that is not a
 * socket is left alone and is an error.
 *
 * <p>Connections. One virtual thread per connection (at most {@link #MAX_CONNECTIONS}; more are
 * closed at once and counted; one that sends nothing for the idle timeout, 60 s by default, is
 * closed unless its request is being processed), each reading requests in a loop as wireguard-go does:
 * {@code get=1}, {@code set=1} and Switchyard's extensions {@code switchyard-get=1} (status with
 * packets, drops and counters) and {@code switchyard-reload=1} (re-read the configuration file).
 * A line is at most {@link #MAX_LINE} bytes and a set request at most {@link #MAX_REQUEST} bytes;
 * beyond that the client gets {@code errno=-EMSGSIZE} and is disconnected. An unknown operation
 * closes the connection without a reply, like wireguard-go.
 *
 * <p>Set requests are read whole, then interpreted against the running configuration and applied
 * with one {@link ControlTarget#apply} under a lock, so concurrent {@code wg set} calls never
 * lose an update and a failing request changes nothing.
 *
 * <p>{@link #close()} stops accepting, closes open connections and removes the socket file if it
 * is still the one this server created.
 *
 * <p>Why one file of about 600 lines: the socket's life (bind over a stale file, accept, per-
 * connection limits, shutdown) and the request loop that speaks the protocol share the connection
 * state; the protocol's text itself is in {@link Uapi}.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.switchyard.control");

    /** Longest line read, in bytes; keys and values of the protocol are far shorter. */
    public static final int MAX_LINE = 4096;
    /** Largest set request, in bytes: room for about 200k peers with an address each. */
    public static final int MAX_REQUEST = 64 << 20;
    /** Connections served at once. */
    public static final int MAX_CONNECTIONS = 64;
    /** A connection that sends nothing for this long (outside a request being processed) is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The longest path a unix socket address can hold (sun_path is 108 bytes with its NUL). */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path path;
    private final ControlTarget target;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private final Thread acceptor;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final long idleTimeoutNanos;
    private final Thread reaper;
    private final AtomicInteger active = new AtomicInteger();
    private final ReentrantLock mutation = new ReentrantLock();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong refusedConnections = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();
    private volatile boolean closed;

    /** One client connection and when it last sent anything. */
    private static final class Connection {
        final SocketChannel channel;
        volatile long lastActivity = System.nanoTime();
        /** True while a request is being processed: the client is waiting for us, not idle. */
        volatile boolean busy;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private ControlServer(Path path, ControlTarget target, ServerSocketChannel server, Object fileKey,
            Duration idleTimeout) {
        this.path = path;
        this.target = target;
        this.server = server;
        this.fileKey = fileKey;
        this.acceptor = Thread.ofVirtual().name("control-accept " + path.getFileName()).unstarted(this::acceptLoop);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.reaper = Thread.ofVirtual().name("control-idle " + path.getFileName()).unstarted(this::reapLoop);
    }

    /**
     * Listens on {@code socket} for requests to {@code target}.
     *
     * @throws IOException if the path is in use by a running process, is not a socket, is too
     *     long for a unix socket address, or cannot be created
     */
    public static ControlServer start(Path socket, ControlTarget target) throws IOException {
        return start(socket, target, DEFAULT_IDLE_TIMEOUT);
    }

    /** As {@link #start(Path, ControlTarget)}, closing connections idle for {@code idleTimeout}. */
    public static ControlServer start(Path socket, ControlTarget target, Duration idleTimeout) throws IOException {
        Objects.requireNonNull(target, "target");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + idleTimeout);
        }
        Path path = socket.toAbsolutePath().normalize();
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new IOException("control socket path is longer than " + MAX_SOCKET_PATH + " bytes: " + path);
        }
        Path dir = path.getParent();
        Files.createDirectories(dir);
        refuseIfInUse(path);

        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Path tmpDir = dir.resolve(".sy-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
            Path tmp = tmpDir.resolve("s");
            if (tmp.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
                Files.createDirectory(tmpDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                try {
                    server.bind(UnixDomainSocketAddress.of(tmp));
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                    Files.deleteIfExists(tmpDir);
                }
            } else {
                // no room for the private directory's name: bind in place, then restrict. Until
                // the chmod the socket has the umask's mode, which for the usual 022 already
                // denies others the write permission that connect(2) needs.
                Files.deleteIfExists(path);
                server.bind(UnixDomainSocketAddress.of(path));
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            }
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            ControlServer s = new ControlServer(path, target, server, key, idleTimeout);
            s.acceptor.start();
            s.reaper.start();
            LOG.log(System.Logger.Level.INFO, "control socket listening on {0}", path);
            return s;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Fails if {@code path} is a live socket or something other than a socket. */
    private static void refuseIfInUse(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!a.isOther()) {
            throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a socket; not replacing it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new FileAlreadyExistsException(path.toString(), null, "control socket in use by a running process");
        } catch (IOException stale) {
            if (stale instanceof FileAlreadyExistsException) {
                throw stale;
            }
            // connection refused: nobody listens, the file is left over from a dead process
        }
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    /** Requests answered (get, set and the extensions). */
    public long requests() {
        return requests.get();
    }

    /** Requests answered with a non-zero errno. */
    public long errors() {
        return errors.get();
    }

    /** Connections closed at once because {@link #MAX_CONNECTIONS} were open. */
    public long refusedConnections() {
        return refusedConnections.get();
    }

    /** Connections closed because they were idle for longer than the idle timeout. */
    public long idleClosed() {
        return idleClosed.get();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "control socket accept failed", e);
                // a persistent failure (e.g. EMFILE) must not spin a core
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            if (active.incrementAndGet() > MAX_CONNECTIONS) {
                active.decrementAndGet();
                refusedConnections.incrementAndGet();
                closeQuietly(ch);
                continue;
            }
            Connection conn = new Connection(ch);
            open.add(conn);
            if (closed) { // close() may have run between accept and add
                open.remove(conn);
                active.decrementAndGet();
                closeQuietly(ch);
                return;
            }
            Thread.ofVirtual().name("control-conn " + path.getFileName()).start(() -> {
                try {
                    serve(conn);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "control connection ended", e);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "control connection failed", e);
                } finally {
                    open.remove(conn);
                    active.decrementAndGet();
                    closeQuietly(ch);
                }
            });
        }
    }

    /** Thrown by {@link LineReader#readLine} for a line longer than allowed. */
    private static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line longer than " + MAX_LINE + " bytes", null);
        }
    }

    /**
     * Closes connections idle longer than the timeout, so that clients that connect and never
     * finish a request cannot hold the {@link #MAX_CONNECTIONS} slots for good.
     */
    private void reapLoop() {
        long period = Math.max(1_000_000L, Math.min(idleTimeoutNanos / 4, 5_000_000_000L));
        while (!closed) {
            try {
                Thread.sleep(Duration.ofNanos(period));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : open) {
                if (!c.busy && now - c.lastActivity > idleTimeoutNanos) {
                    idleClosed.incrementAndGet();
                    closeQuietly(c.channel);
                }
            }
        }
    }

    private void serve(Connection conn) throws IOException {
        SocketChannel ch = conn.channel;
        LineReader in = new LineReader(Channels.newInputStream(ch), conn);
        OutputStream out = Channels.newOutputStream(ch);
        while (true) {
            String op;
            try {
                op = in.readLine();
            } catch (LineTooLong e) {
                return;
            }
            if (op == null) {
                return; // EOF: `wg` probes liveness by connecting and closing at once
            }
            conn.lastActivity = System.nanoTime();
            switch (op) {
                case "get=1", "switchyard-get=1", "switchyard-reload=1" -> {
                    int next = in.read();
                    if (next < 0) {
                        return;
                    }
                    if (next != '\n') {
                        reply(out, new StringBuilder(), new UapiException(UapiException.EINVAL, "trailing character after " + op));
                        return; // the stream is no longer at a request boundary
                    }
                    conn.busy = true;
                    try {
                        if (op.equals("switchyard-reload=1")) {
                            reload(out);
                        } else {
                            get(out, op.equals("switchyard-get=1"));
                        }
                    } finally {
                        conn.lastActivity = System.nanoTime();
                        conn.busy = false;
                    }
                }
                case "set=1" -> {
                    List<String> lines = readSet(in, out);
                    if (lines == null) {
                        return;
                    }
                    conn.busy = true;
                    try {
                        set(lines, out);
                    } finally {
                        conn.lastActivity = System.nanoTime();
                        conn.busy = false;
                    }
                }
                default -> {
                    LOG.log(System.Logger.Level.WARNING, "control socket: invalid operation \"{0}\"", Uapi.printable(op));
                    return;
                }
            }
        }
    }

    private void get(OutputStream out, boolean extended) throws IOException {
        StringBuilder sb = new StringBuilder(4096);
        UapiException failure = null;
        try {
            Config config = target.config();
            Uapi.writeGet(config, target.snapshot(), extended, sb);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "control socket: get failed", e);
            sb.setLength(0);
            failure = new UapiException(UapiException.EIO, "get failed: " + e, e);
        }
        reply(out, sb, failure);
    }

    /**
     * Reads the lines of one set request up to its blank line (or end of stream); null after an
     * oversize request was answered, when the connection must be closed.
     */
    private List<String> readSet(LineReader in, OutputStream out) throws IOException {
        List<String> lines = new ArrayList<>();
        long total = 0;
        boolean oversize = false;
        while (true) {
            String line;
            try {
                line = in.readLine();
            } catch (LineTooLong e) {
                reply(out, new StringBuilder(), new UapiException(UapiException.EMSGSIZE, e.getMessage()));
                return null;
            }
            if (line == null || line.isEmpty()) {
                break; // EOF ends the request too, as in wireguard-go
            }
            total += line.length() + 1;
            if (total > MAX_REQUEST) {
                oversize = true;
                break;
            }
            lines.add(line);
        }
        if (oversize) {
            reply(out, new StringBuilder(), new UapiException(UapiException.EMSGSIZE,
                    "set request longer than " + MAX_REQUEST + " bytes"));
            return null;
        }
        return lines;
    }

    /** Interprets and applies one set request, and answers it. */
    private void set(List<String> lines, OutputStream out) throws IOException {
        UapiException failure = null;
        ConfigAppliedEvent event = new ConfigAppliedEvent();
        Config current = null;
        Config next = null;
        mutation.lock();
        try {
            event.begin();
            current = target.config();
            next = Uapi.applySet(current, target.listenPort(), lines);
            if (!next.equals(current)) {
                applyTo(next);
            }
        } catch (UapiException e) {
            failure = e;
        } finally {
            event.end();
            mutation.unlock();
        }
        if (event.shouldCommit() && (failure != null || !next.equals(current))) {
            event.source = "uapi-set";
            if (failure == null) {
                ConfigDiff d = ConfigDiff.between(current, next);
                event.added = d.added().size();
                event.removed = d.removed().size();
                event.changed = d.changed().size();
            } else {
                event.errno = failure.errno();
                event.error = failure.getMessage();
            }
            event.commit();
        }
        reply(out, new StringBuilder(), failure);
    }

    private void applyTo(Config next) throws UapiException {
        try {
            target.apply(next);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new UapiException(UapiException.EINVAL, "the hub refused the configuration: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "control socket: apply failed", e);
            throw new UapiException(UapiException.EIO, "apply failed: " + e, e);
        }
    }

    private void reload(OutputStream out) throws IOException {
        StringBuilder sb = new StringBuilder();
        UapiException failure = null;
        ConfigAppliedEvent event = new ConfigAppliedEvent();
        mutation.lock();
        event.begin();
        try {
            message(sb, target.reload());
        } catch (UapiException e) {
            failure = e;
            message(sb, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "control socket: reload failed", e);
            failure = new UapiException(UapiException.EIO, "reload failed: " + e, e);
            message(sb, failure.getMessage());
        } finally {
            event.end();
            mutation.unlock();
        }
        if (event.shouldCommit()) {
            event.source = "reload";
            if (failure != null) {
                event.errno = failure.errno();
                event.error = failure.getMessage();
            }
            event.commit();
        }
        reply(out, sb, failure);
    }

    /** {@code message=} lines, one per line of text: the reply text of the extensions. */
    private static void message(StringBuilder sb, String text) {
        if (text == null) {
            return;
        }
        for (String line : text.split("\n", -1)) {
            sb.append("message=").append(line.replace('\r', ' ')).append('\n');
        }
    }

    private void reply(OutputStream out, StringBuilder body, UapiException failure) throws IOException {
        requests.incrementAndGet();
        if (failure != null) {
            errors.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "control socket: errno={0}: {1}", -failure.errno(), failure.getMessage());
            body.append("errno=").append(-failure.errno()).append("\n\n");
        } else {
            body.append("errno=0\n\n");
        }
        out.write(body.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Reads lines and single bytes from a stream through its own buffer: the protocol's requests
     * are read a line at a time, and a byte-at-a-time {@code BufferedInputStream} (which takes a
     * lock per call) cost about a fifth of a large set request.
     */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buf = new byte[65536];
        private int pos;
        private int limit;
        private byte[] line = new byte[256];

        private final Connection conn;

        LineReader(InputStream in, Connection conn) {
            this.in = in;
            this.conn = conn;
        }

        private boolean fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            conn.lastActivity = System.nanoTime();
            pos = 0;
            limit = n;
            return true;
        }

        /** The next byte, or -1 at end of stream. */
        int read() throws IOException {
            if (pos == limit && !fill()) {
                return -1;
            }
            return buf[pos++] & 0xff;
        }

        /**
         * One line without its '\n', decoded as UTF-8 (bad bytes become U+FFFD and then fail
         * validation as values); null at end of stream.
         */
        String readLine() throws IOException {
            int n = 0;
            while (true) {
                if (pos == limit && !fill()) {
                    return n == 0 ? null : new String(line, 0, n, StandardCharsets.UTF_8);
                }
                int start = pos;
                while (pos < limit && buf[pos] != '\n') {
                    pos++;
                }
                int len = pos - start;
                if (n + len > MAX_LINE) {
                    throw new LineTooLong();
                }
                if (n + len > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, Math.max(line.length * 2, n + len)));
                }
                System.arraycopy(buf, start, line, n, len);
                n += len;
                if (pos < limit) {
                    pos++; // the '\n'
                    return new String(line, 0, n, StandardCharsets.UTF_8);
                }
            }
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close failed", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "close failed", e);
        }
        reaper.interrupt();
        for (Connection c : open) {
            closeQuietly(c.channel);
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // remove the socket only if it is still ours (a newer process may have replaced it)
        try {
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key != null && key.equals(fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // already gone
        }
    }
}
