package io.switchyard.io;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.linux.LibC;
import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The use count of one socket fd, so that the fd is closed only after every call in progress on
 * it has returned: the kernel hands a closed fd's number to the next {@code open}, {@code socket}
 * or {@code accept} at once, and a call still running on the old number (a retry after EINTR, a
 * second {@code sendmmsg} of the same batch) would then read or write somebody else's file. A
 * recycled fd number must never receive our I/O.
 *
 * <p>How: one int, the number of calls in progress plus a CLOSED bit. Every call brackets itself
 * with {@link #acquire} and {@link #release}; {@link #close} sets CLOSED, after which
 * {@code acquire} fails with {@link SocketClosedException}. Whoever leaves last tears down: close
 * itself when no call was in progress, else the {@code release} that brings the count to zero.
 * Tearing down runs the transport's own clean-up first (rings, buffers, eventfds) and closes the
 * socket fd last. Shared by the epoll and the io_uring sockets.
 */
final class FdLifecycle {
    private static final int CLOSED = 1 << 30;

    private final int fd;
    private final Runnable beforeFdClose;
    private final AtomicInteger useState = new AtomicInteger();

    /**
     * @param fd            the socket, closed by the last one out
     * @param beforeFdClose the transport's clean-up, run once just before that close
     */
    FdLifecycle(int fd, Runnable beforeFdClose) {
        this.fd = fd;
        this.beforeFdClose = beforeFdClose;
    }

    /** Enters a call on the fd; {@code call} is named in the exception when it is closed. */
    void acquire(String call) throws SocketClosedException {
        while (true) {
            int s = useState.get();
            if (s >= CLOSED) {
                throw new SocketClosedException(call);
            }
            if (useState.compareAndSet(s, s + 1)) {
                return;
            }
        }
    }

    /** Leaves a call; the last one out after {@link #close} tears down. */
    void release() {
        if (useState.decrementAndGet() == CLOSED) {
            tearDown();
        }
    }

    boolean isOpen() {
        return useState.get() < CLOSED;
    }

    /**
     * Closes, once (later calls do nothing): new calls fail from now on, then
     * {@code wakeWaiters} runs (the transport deregisters its readiness and wakes whoever is
     * parked on it with {@link SocketClosedException}), then the tear-down, now if no call is in
     * progress, else when the last one returns.
     */
    void close(Runnable wakeWaiters) {
        int s;
        do {
            s = useState.get();
            if (s >= CLOSED) {
                return;
            }
        } while (!useState.compareAndSet(s, s | CLOSED));
        wakeWaiters.run();
        if (s == 0) {
            tearDown();
        }
    }

    private void tearDown() {
        try {
            beforeFdClose.run();
        } finally {
            try (Arena a = Arena.ofConfined()) {
                LibC.close(LibC.newCallState(a), fd);
            }
        }
    }
}
