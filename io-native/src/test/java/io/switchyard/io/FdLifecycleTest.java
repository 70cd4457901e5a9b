package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The use count on a real fd (an eventfd): closed once, and never while a call is in progress,
 * the transport's clean-up before the fd itself.
 */
class FdLifecycleTest {
    private int fd;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void openFd() {
        try (Arena a = Arena.ofConfined()) {
            fd = LibC.eventfd(LibC.newCallState(a), 0, Linux.EFD_CLOEXEC);
        }
        assertTrue(fd >= 0, "eventfd: " + fd);
    }

    private boolean fdOpen() {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    private FdLifecycle lifecycle() {
        return new FdLifecycle(fd, () -> events.add("clean-up, fd open: " + fdOpen()));
    }

    @Test
    void anIdleCloseTearsDownAtOnceAfterWakingTheWaiters() throws Exception {
        FdLifecycle l = lifecycle();
        l.acquire("a");
        l.release();
        l.close(() -> events.add("wake"));
        assertFalse(l.isOpen());
        assertFalse(fdOpen());
        assertEquals(List.of("wake", "clean-up, fd open: true"), events);
    }

    @Test
    void aCloseDuringACallLeavesTheFdToTheLastCallOut() throws Exception {
        FdLifecycle l = lifecycle();
        l.acquire("first");
        l.acquire("second");
        l.close(() -> events.add("wake"));
        assertFalse(l.isOpen());
        assertTrue(fdOpen(), "calls in progress still use the fd number");
        assertThrows(SocketClosedException.class, () -> l.acquire("third"));
        l.release();
        assertTrue(fdOpen());
        assertEquals(List.of("wake"), events);
        l.release();
        assertFalse(fdOpen());
        assertEquals(List.of("wake", "clean-up, fd open: true"), events);
    }

    @Test
    void closeIsIdempotent() {
        FdLifecycle l = lifecycle();
        l.close(() -> events.add("wake"));
        l.close(() -> events.add("wake again"));
        assertEquals(List.of("wake", "clean-up, fd open: true"), events);
    }
}
