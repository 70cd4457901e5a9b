package io.switchyard.io.linux;

import static io.switchyard.io.linux.LinuxStructs.EPOLL_DATA;
import static io.switchyard.io.linux.LinuxStructs.EPOLL_EVENT;
import static io.switchyard.io.linux.LinuxStructs.EPOLL_EVENTS;

import io.switchyard.io.errors.TransportException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The readiness poller: one platform thread blocked in {@code epoll_wait} that unparks the
 * virtual threads waiting on sockets. Virtual threads never block inside a downcall (that would
 * pin their carrier); they get EAGAIN, park in {@link Readiness#await}, and this thread wakes them.
 *
 * <p>Each fd is registered once, edge-triggered, for IN, OUT and ERR; the epoll data field holds
 * an index into a table of {@link Readiness} objects (a Java reference cannot go through the
 * kernel). The table is copy-on-grow and read through a volatile field, so the poller reads it
 * without a lock. An eventfd, registered with a reserved key, wakes the poller for shutdown.
 *
 * <p>One process-wide instance, started on first use, is enough for the datagram counts here:
 * the cost of a wake-up is an unpark, and a busy socket rarely waits at all.
 */
public final class EpollPoller {
    private static final long WAKE_KEY = Long.MAX_VALUE;
    private static final int MAX_EVENTS = 256;
    private static final System.Logger LOG = System.getLogger("io.switchyard.io.poller");
    private static EpollPoller instance;

    private final int epfd;
    private final int wakeFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment ctlState = LibC.newCallState(arena);
    private final MemorySegment ctlEvent = arena.allocate(EPOLL_EVENT);
    private final Thread thread;
    private volatile Readiness[] table = new Readiness[64];
    private int[] freeIds = new int[64];
    private int freeCount;
    private int nextId;
    private volatile boolean stopped;

    /** The process-wide poller, started on first use. */
    public static synchronized EpollPoller instance() throws TransportException {
        if (instance == null) {
            instance = new EpollPoller();
        }
        return instance;
    }

    private EpollPoller() throws TransportException {
        int ep = LibC.epollCreate1(ctlState, Linux.EPOLL_CLOEXEC);
        if (ep < 0) {
            throw Errno.exception("epoll_create1", -ep);
        }
        int ev = LibC.eventfd(ctlState, 0, Linux.EFD_NONBLOCK | Linux.EFD_CLOEXEC);
        if (ev < 0) {
            LibC.close(ctlState, ep);
            throw Errno.exception("eventfd", -ev);
        }
        epfd = ep;
        wakeFd = ev;
        synchronized (this) {
            ctl(Linux.EPOLL_CTL_ADD, wakeFd, Linux.EPOLLIN | Linux.EPOLLET, WAKE_KEY);
        }
        thread = Thread.ofPlatform().daemon().name("switchyard-epoll").unstarted(this::run);
        thread.start();
    }

    /** Registers {@code fd} (edge-triggered IN|OUT|ERR) and returns its readiness. */
    public synchronized Readiness register(int fd) throws TransportException {
        int id = freeCount > 0 ? freeIds[--freeCount] : nextId++;
        Readiness[] t = table;
        if (id >= t.length) {
            Readiness[] grown = java.util.Arrays.copyOf(t, t.length * 2);
            grown[id] = null;
            table = t = grown;
        }
        Readiness r = new Readiness(id, fd);
        t[id] = r;
        table = t; // publish the new entry before the kernel can report an event for it
        try {
            ctl(Linux.EPOLL_CTL_ADD, fd, Linux.EPOLLIN | Linux.EPOLLOUT | Linux.EPOLLERR | Linux.EPOLLET, id);
        } catch (TransportException e) {
            t[id] = null;
            release(id);
            throw e;
        }
        return r;
    }

    /** Removes the registration; call before closing the fd. Wakes no one (see {@link Readiness#close}). */
    public synchronized void deregister(Readiness r) {
        if (table[r.id] != r) {
            return;
        }
        try {
            ctl(Linux.EPOLL_CTL_DEL, r.fd, 0, 0);
        } catch (TransportException e) {
            LOG.log(System.Logger.Level.DEBUG, "epoll_ctl DEL failed: {0}", e.getMessage());
        }
        // An event already taken from the kernel may still name this id: the poller then signals
        // a Readiness nobody waits on, which is harmless; the id is reused only after this point.
        table[r.id] = null;
        release(r.id);
    }

    /** Stops the poller thread (tests); registered sockets stop getting wake-ups. */
    public void shutdownForTests() {
        stopped = true;
        wakeup();
    }

    /** Wakes the poller out of epoll_wait. */
    public void wakeup() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            LibC.write(LibC.newCallState(a), wakeFd, one, 8);
        }
    }

    private void release(int id) {
        if (freeCount == freeIds.length) {
            freeIds = java.util.Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = id;
    }

    private void ctl(int op, int fd, int events, long key) throws TransportException {
        EPOLL_EVENTS.set(ctlEvent, 0L, events);
        EPOLL_DATA.set(ctlEvent, 0L, key);
        int r = LibC.epollCtl(ctlState, epfd, op, fd, ctlEvent);
        if (r < 0) {
            throw Errno.exception("epoll_ctl", -r);
        }
    }

    private void run() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(local);
            MemorySegment events = local.allocate(EPOLL_EVENT.byteSize() * MAX_EVENTS, 8);
            MemorySegment drain = local.allocate(ValueLayout.JAVA_LONG);
            long stride = EPOLL_EVENT.byteSize();
            while (!stopped) {
                int n = LibC.epollWait(state, epfd, events, MAX_EVENTS, -1);
                if (n < 0) {
                    if (-n != Errno.EINTR) {
                        // Only a programming error gets here (EBADF/EFAULT/EINVAL); spinning would hide it.
                        LOG.log(System.Logger.Level.ERROR, "epoll_wait failed: " + Errno.name(-n));
                        return;
                    }
                    continue;
                }
                Readiness[] t = table;
                for (int i = 0; i < n; i++) {
                    long key = (long) EPOLL_DATA.get(events, stride * i);
                    int ev = (int) EPOLL_EVENTS.get(events, stride * i);
                    if (key == WAKE_KEY) {
                        LibC.read(state, wakeFd, drain, 8);
                        continue;
                    }
                    if (key >= t.length) {
                        t = table;
                    }
                    Readiness r = key < t.length ? t[(int) key] : null;
                    if (r != null) {
                        r.signal(ev);
                    }
                }
            }
        }
    }
}
