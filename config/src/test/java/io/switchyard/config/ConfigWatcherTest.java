package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher over a real directory with inotify behind it. Waits are generous hang guards only;
 * nothing asserts how fast a change is seen.
 */
class ConfigWatcherTest {
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    Path file;
    final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    ConfigWatcher watcher;

    final ConfigWatcher.Listener listener = new ConfigWatcher.Listener() {
        @Override
        public void apply(ParsedConfig config) {
            events.add(config);
        }

        @Override
        public void reject(ConfigException error) {
            events.add(error);
        }
    };

    static String config(int port) {
        return ConfigDiffTest.BASE.replace("ListenPort = 51820", "ListenPort = " + port);
    }

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("wg0.conf");
        Files.writeString(file, config(1000));
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private ParsedConfig nextApply() throws InterruptedException {
        Object e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(e, "no reload within " + WAIT_SECONDS + "s");
        return assertInstanceOf(ParsedConfig.class, e, () -> e.toString());
    }

    private ConfigException nextReject() throws InterruptedException {
        Object e = events.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(e, "no reload within " + WAIT_SECONDS + "s");
        return assertInstanceOf(ConfigException.class, e);
    }

    /** Waits for an apply of this port, skipping rejects of a half-written in-place save. */
    private ParsedConfig awaitApply(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            Object e = events.poll(1, TimeUnit.SECONDS);
            if (e instanceof ParsedConfig p && p.config().iface().listenPort() == port) {
                return p;
            }
        }
        throw new AssertionError("no apply of port " + port + " within " + WAIT_SECONDS + "s");
    }

    /** Write-then-rename, so the watcher never sees a half-written file. */
    private void replace(String content) throws IOException {
        Path tmp = dir.resolve(".wg0.conf.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void eventually(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + WAIT_SECONDS + "s");
            Thread.sleep(10);
        }
    }

    private void start() throws IOException, InterruptedException {
        watcher = ConfigWatcher.start(file, Duration.ofMillis(50), listener);
        assertEquals(1000, nextApply().config().iface().listenPort(), "the initial load is delivered first");
    }

    @Test
    void inPlaceWriteIsPickedUp() throws Exception {
        start();
        Files.writeString(file, config(1001)); // truncate + write on the same inode
        awaitApply(1001);
        Files.writeString(file, config(1002));
        awaitApply(1002);
    }

    @Test
    void renameReplaceIsPickedUp() throws Exception {
        start();
        Path tmp = dir.resolve(".wg0.conf.tmp");
        Files.writeString(tmp, config(2001));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(2001, nextApply().config().iface().listenPort());
        // and the watch follows the new inode: a second replace works too
        Files.writeString(tmp, config(2002));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(2002, nextApply().config().iface().listenPort());
    }

    @Test
    void writerOutputIsPickedUp() throws Exception {
        start();
        Config c = CorpusTest.parse(CorpusTest.VALID.resolve("wg0.conf")).config();
        ConfigWriter.write(c, file);
        assertEquals(c.peers(), nextApply().config().peers());
    }

    @Test
    void brokenFileIsRejectedNotApplied() throws Exception {
        start();
        replace(config(3001).replace("ListenPort = 3001", "ListenPort = 99999\nBogus = 1"));
        ConfigException e = nextReject();
        assertEquals(2, e.errors().size(), e.getMessage());
        assertTrue(e.getMessage().contains("wg0.conf:3:14: error: ListenPort"), e.getMessage());
        // fixing it delivers the fixed version
        replace(config(3002));
        assertEquals(3002, nextApply().config().iface().listenPort());
        assertNull(events.poll(200, TimeUnit.MILLISECONDS), "nothing else was delivered");
    }

    @Test
    void unchangedBytesAreNotRedeliveredButReloadForces() throws Exception {
        start();
        replace(config(1000)); // same bytes
        Files.writeString(dir.resolve("other.conf"), "unrelated"); // other names are ignored
        replace(config(4001)); // a real change after the no-op ones
        assertEquals(4001, nextApply().config().iface().listenPort(), "the no-op write was not delivered");
        watcher.reload();
        assertEquals(4001, nextApply().config().iface().listenPort(), "reload() delivers even unchanged bytes");
    }

    @Test
    void deletedFileIsRejectedAndRecreationApplied() throws Exception {
        start();
        Files.delete(file);
        ConfigException e = nextReject();
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        replace(config(5001));
        assertEquals(5001, nextApply().config().iface().listenPort());
    }

    @Test
    void aThrowingListenerDoesNotStopTheWatcher() throws Exception {
        var calls = new LinkedBlockingQueue<Integer>();
        watcher = ConfigWatcher.start(file, Duration.ofMillis(20), new ConfigWatcher.Listener() {
            @Override
            public void apply(ParsedConfig config) {
                calls.add(config.config().iface().listenPort());
                throw new IllegalStateException("router refused");
            }

            @Override
            public void reject(ConfigException error) {
                calls.add(-1);
            }
        });
        assertEquals(1000, calls.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        replace(config(6001));
        assertEquals(6001, calls.poll(WAIT_SECONDS, TimeUnit.SECONDS));
        eventually(() -> watcher.listenerFailures() == 2);
        assertEquals(2, watcher.deliveries());
    }
}
