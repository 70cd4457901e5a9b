package io.switchyard.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches one config file and hands every new version to a {@link Listener}: a parsed config to
 * {@link Listener#apply}, or the complete list of problems to {@link Listener#reject} (the running
 * configuration then stays as it is; a rejected file is never partly applied).
 *
 * <p>How: a {@link WatchService} on the file's directory, because editors and config managers
 * often replace a file by writing a temporary file and renaming it over the original; a watch on
 * the file itself would follow the old inode. Events for other names in the directory are ignored
 * (unless the watched path is a symbolic link, as with Kubernetes config maps, whose targets
 * change under other names). After a relevant event the watcher waits until the directory has
 * been quiet for the debounce period, so a save that truncates, writes and renames yields one
 * reload, then reads the file once and parses those bytes. A version whose bytes equal the
 * previous attempt (a {@code touch}, a rewrite with the same content) is not delivered again, nor
 * is an empty file (an in-place save between truncate and write). An in-place save slower than
 * the debounce can still be seen half-written and rejected, and is then applied on its next
 * event; writers that care use write-then-rename ({@link ConfigWriter#write(Config, Path)}).
 *
 * <p>Only the config file is watched: a change inside a {@code PrivateKeyFile} or
 * {@code PresharedKeyFile} is picked up by {@link #reload()} or by the next change of the file.
 *
 * <p>{@link #reload()} is the SIGHUP / {@code switchyard reload} path: it parses and delivers now,
 * on the caller's thread, even if the bytes did not change. Deliveries never overlap. A listener
 * that throws does not stop the watcher; such failures are counted
 * ({@link #listenerFailures()}).
 */
public final class ConfigWatcher implements AutoCloseable {

    /** Receives each new version of the file. Calls come from one thread at a time. */
    public interface Listener {
        /** The file parsed and validated: apply it (warnings included for logging). */
        void apply(ParsedConfig config);

        /** The file failed to parse or validate (or could not be read): keep the running config. */
        void reject(ConfigException error);
    }

    private final Path file;
    private final Path fileName;
    private final long debounceNanos;
    private final Listener listener;
    private final WatchService watchService;
    private final Thread thread;
    private final Object deliveryLock = new Object();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicLong deliveries = new AtomicLong();
    private byte[] lastAttempt; // guarded by deliveryLock
    private volatile boolean closed;

    private ConfigWatcher(Path file, Duration debounce, Listener listener) throws IOException {
        this.file = file.toAbsolutePath();
        this.fileName = this.file.getFileName();
        this.debounceNanos = debounce.toNanos();
        this.listener = listener;
        this.watchService = FileSystems.getDefault().newWatchService();
        try {
            this.file.getParent().register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | RuntimeException e) {
            watchService.close();
            throw e;
        }
        this.thread = Thread.ofPlatform().daemon().name("config-watcher-" + fileName).unstarted(this::run);
    }

    /**
     * Starts watching {@code file}. The current version is parsed and delivered before this
     * returns (so the listener's first call is the initial load), and every later change after
     * {@code debounce} of quiet.
     *
     * @throws IOException if the directory cannot be watched
     */
    public static ConfigWatcher start(Path file, Duration debounce, Listener listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        if (debounce.isNegative()) {
            throw new IllegalArgumentException("negative debounce " + debounce);
        }
        var w = new ConfigWatcher(file, debounce, listener);
        // registered before the first read, so a change made during the initial load is not lost
        w.deliver(true);
        w.thread.start();
        return w;
    }

    /** Parses the file now and delivers the result, whether or not it changed. */
    public void reload() {
        deliver(true);
    }

    /** How many times the listener threw. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    /** How many versions were delivered (apply or reject), the initial load included. */
    public long deliveries() {
        return deliveries.get();
    }

    /** The watched file (absolute). */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        closed = true;
        try {
            watchService.close(); // wakes the thread from take()/poll()
        } catch (IOException e) {
            // closing a WatchService only releases the inotify descriptor; nothing to report
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long deadline = 0;
        boolean pending = false;
        try {
            while (!closed) {
                WatchKey key;
                if (pending) {
                    long wait = deadline - System.nanoTime();
                    key = wait > 0 ? watchService.poll(wait, TimeUnit.NANOSECONDS) : null;
                } else {
                    key = watchService.take();
                }
                if (key != null) {
                    if (relevant(key)) {
                        pending = true;
                        deadline = System.nanoTime() + debounceNanos;
                    }
                    if (!key.reset()) {
                        // the directory is gone: nothing more will arrive
                        deliverError("the directory " + file.getParent() + " is no longer watchable");
                        return;
                    }
                    continue;
                }
                if (pending && System.nanoTime() - deadline >= 0) {
                    pending = false;
                    deliver(false);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // close() was called
        }
    }

    private boolean relevant(WatchKey key) {
        boolean symlink = Files.isSymbolicLink(file);
        boolean relevant = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || symlink || fileName.equals(event.context())) {
                relevant = true;
            }
        }
        return relevant;
    }

    private void deliver(boolean force) {
        synchronized (deliveryLock) {
            byte[] bytes;
            try {
                bytes = ConfigParser.read(file);
            } catch (ConfigException e) {
                // missing (mid-replace) or unreadable: report once per distinct failure
                if (!force && e.getMessage().equals(lastReadError)) {
                    return;
                }
                lastReadError = e.getMessage();
                lastAttempt = null;
                hand(null, e);
                return;
            }
            lastReadError = null;
            if (!force && (bytes.length == 0 || Arrays.equals(bytes, lastAttempt))) {
                // An empty file is an in-place save caught between truncate and write; the write's
                // own event follows. (Emptied on purpose, it would only be rejected anyway.)
                return;
            }
            lastAttempt = bytes;
            try {
                hand(ConfigParser.parse(file, bytes), null);
            } catch (ConfigException e) {
                hand(null, e);
            }
        }
    }

    private void hand(ParsedConfig parsed, ConfigException error) {
        deliveries.incrementAndGet();
        try {
            if (parsed != null) {
                listener.apply(parsed);
            } else {
                listener.reject(error);
            }
        } catch (RuntimeException e) {
            listenerFailures.incrementAndGet();
        }
    }

    private String lastReadError; // guarded by deliveryLock

    private void deliverError(String message) {
        synchronized (deliveryLock) {
            hand(null, new ConfigException(List.of(Problem.error(file.toString(), 0, 0, message))));
        }
    }
}
