package io.switchyard.io.linux;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.WaitInterruptedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Readiness of one file descriptor registered with the {@link EpollPoller}, and the threads
 * waiting on it: at most one reader, one writer and one error-queue waiter at a time.
 *
 * <p>Protocol (no lost wake-ups with an edge-triggered registration): the poller sets ready bits
 * and then unparks the waiter; a waiter publishes itself, then checks-and-clears its bit, and
 * parks only if the bit was clear. Because the I/O call that returned EAGAIN happened before the
 * wait, any datagram that arrived after it raises a new edge and sets the bit. A bit left over
 * from an edge already consumed only causes one spurious return; callers retry their I/O.
 */
public final class Readiness {
    public static final int READ = 1;
    public static final int WRITE = 2;
    public static final int ERROR = 4;

    final int id;
    final int fd;
    private final AtomicInteger ready = new AtomicInteger();
    private volatile Thread reader;
    private volatile Thread writer;
    private volatile Thread errorWaiter;
    private volatile boolean closed;

    Readiness(int id, int fd) {
        this.id = id;
        this.fd = fd;
    }

    /**
     * Parks until {@code bit} is set (then clears it) or the fd is closed.
     *
     * @param call named in the exception when the socket is closed
     * @throws WaitInterruptedException if the thread is (or gets) interrupted while it would wait
     */
    public void await(int bit, String call) throws SocketClosedException, WaitInterruptedException {
        Thread me = Thread.currentThread();
        setWaiter(bit, me);
        try {
            while (true) {
                if (closed) {
                    throw new SocketClosedException(call);
                }
                if ((ready.get() & bit) != 0) {
                    clear(bit);
                    return;
                }
                // park() returns at once while the interrupt status is set: without this check
                // an interrupted waiter spun here at full speed (it starved whole carrier pools).
                if (Thread.interrupted()) {
                    throw new WaitInterruptedException(call);
                }
                LockSupport.park(this);
            }
        } finally {
            setWaiter(bit, null);
        }
    }

    /** A readiness not tied to an epoll registration (the NIO transport's selector drives it). */
    public static Readiness standalone() {
        return new Readiness(-1, -1);
    }

    /** Sets readiness bits ({@link #READ}, {@link #WRITE}, {@link #ERROR}) and wakes their waiters. */
    public void signalBits(int bits) {
        int v;
        do {
            v = ready.get();
        } while ((v & bits) != bits && !ready.compareAndSet(v, v | bits));
        if ((bits & READ) != 0) {
            unpark(reader);
        }
        if ((bits & WRITE) != 0) {
            unpark(writer);
        }
        if ((bits & ERROR) != 0) {
            unpark(errorWaiter);
        }
    }

    /** Called by the poller thread with the epoll event mask. */
    void signal(int events) {
        int bits = 0;
        if ((events & (Linux.EPOLLIN | Linux.EPOLLERR | Linux.EPOLLHUP)) != 0) {
            bits |= READ;
        }
        if ((events & (Linux.EPOLLOUT | Linux.EPOLLERR | Linux.EPOLLHUP)) != 0) {
            bits |= WRITE;
        }
        if ((events & (Linux.EPOLLERR | Linux.EPOLLHUP)) != 0) {
            bits |= ERROR;
        }
        signalBits(bits);
    }

    private void clear(int bit) {
        int v;
        do {
            v = ready.get();
        } while ((v & bit) != 0 && !ready.compareAndSet(v, v & ~bit));
    }

    /** Marks closed and wakes every waiter (each then throws {@link SocketClosedException}). */
    public void close() {
        closed = true;
        unpark(reader);
        unpark(writer);
        unpark(errorWaiter);
    }

    public boolean isClosed() {
        return closed;
    }

    private void setWaiter(int bit, Thread t) {
        switch (bit) {
            case READ -> reader = t;
            case WRITE -> writer = t;
            case ERROR -> errorWaiter = t;
            default -> throw new IllegalArgumentException("one readiness bit at a time: " + bit);
        }
    }

    private static void unpark(Thread t) {
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
