package io.switchyard.io;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code in another network namespace, Linux only: a new platform thread enters the
 * namespace (setns) and runs the task there; sockets it opens, and threads it starts, stay in
 * that namespace. How an embedder, a test or a benchmark starts a hub inside a namespace made
 * with {@code ip netns add} without starting another process (the hub opens all its sockets
 * on the thread it was started on, so they all live where it started). Needs CAP_SYS_ADMIN.
 */
public final class NetworkNamespace {
    private NetworkNamespace() {
    }

    /**
     * Runs {@code task} inside the namespace {@code name} ({@code /var/run/netns/NAME}, as
     * {@code ip netns} names them, or an absolute path such as {@code /proc/PID/ns/net}) and
     * returns its result; waits for it.
     *
     * @throws TransportException if the namespace cannot be opened or entered (the errno named)
     * @throws Exception whatever the task threw
     */
    public static <T> T call(String name, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try {
                enter(name);
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /**
     * Moves the calling platform thread into the namespace {@code name} (as for {@link #call}),
     * for good: for a thread that is started to live there. A virtual thread may not (it would
     * move its carrier, and other virtual threads with it).
     *
     * @throws TransportException if the namespace cannot be opened or entered
     * @throws IllegalStateException on a virtual thread
     */
    public static void enter(String name) throws TransportException {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("setns on a virtual thread would move its carrier");
        }
        enterPath(name.startsWith("/") ? name : "/var/run/netns/" + name);
    }

    private static void enterPath(String path) throws TransportException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            int fd = LibC.open(cs, a.allocateFrom(path), Linux.O_RDONLY | Linux.O_CLOEXEC);
            if (fd < 0) {
                throw Errno.exception("open " + path, -fd);
            }
            try {
                int r = LibC.setns(cs, fd, Linux.CLONE_NEWNET);
                if (r < 0) {
                    throw Errno.exception("setns " + path, -r);
                }
            } finally {
                LibC.close(cs, fd);
            }
        }
    }

    /** A namespace whose name says which process made it, and that process is gone. */
    public record Orphan(String name, long pid) {}

    /**
     * The namespaces in {@code /var/run/netns} named {@code <prefix><pid>} or
     * {@code <prefix><pid>-<anything>} whose process {@code pid} is no longer alive: what a run
     * of a test or a benchmark that names its namespaces so, killed before it cleaned up, left
     * behind. Names of another shape, and those of live processes, are never listed.
     */
    public static List<Orphan> orphans(String prefix) throws IOException {
        Path dir = Path.of("/var/run/netns");
        List<Orphan> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (var names = Files.list(dir)) {
            for (Path f : names.toList()) {
                String n = f.getFileName().toString();
                if (!n.startsWith(prefix)) {
                    continue;
                }
                String rest = n.substring(prefix.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    found.add(new Orphan(n, pid));
                }
            }
        }
        return found;
    }
}
