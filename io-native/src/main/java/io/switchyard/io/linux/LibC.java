package io.switchyard.io.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The raw libc calls, as static final downcall handles with errno captured by the linker
 * ({@code captureCallState("errno")}; reading {@code __errno_location} after the call is wrong
 * because the JVM may run code that clobbers errno in between).
 *
 * <p>Every wrapper returns the call's result when it is non-negative and {@code -errno} when it
 * failed; it never throws. The policy (EAGAIN is "nothing now", EINTR retries, which errnos are
 * counted drops) belongs to the caller, and {@link Errno#exception} is the one place that turns
 * an errno into an exception. Each wrapper takes a caller-owned call-state segment
 * ({@link #newCallState}) so that the hot path allocates nothing: one per batch object, i.e. one
 * per I/O thread.
 *
 * <p>The per-packet calls ({@code recvmmsg}, {@code sendmmsg}, {@code sendmsg}, {@code recvmsg})
 * take their struct pointers as raw {@code long} addresses (the same register class on the
 * LP64 ABIs): the batches point into the middle of preallocated arrays, and a
 * {@code MemorySegment} slice per call would be an allocation per call.
 *
 * <p>These calls never block: sockets are opened with SOCK_NONBLOCK, and the only blocking call,
 * {@code epoll_wait}, runs on the poller's platform thread. A virtual thread inside a downcall
 * pins its carrier, so this matters.
 */
public final class LibC {
    private LibC() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        var symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle RECVMMSG = downcall("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SENDMMSG = downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDMSG = downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = downcall("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    /** A call-state segment for one thread's calls; reuse it. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static int result(int r, MemorySegment state) {
        return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    private static long result(long r, MemorySegment state) {
        return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    private static RuntimeException bug(Throwable t) {
        // invokeExact only throws what the native function cannot: a wrong signature here.
        return new IllegalStateException("downcall failed", t);
    }

    public static int socket(MemorySegment cs, int domain, int type, int protocol) {
        try {
            return result((int) SOCKET.invokeExact(cs, domain, type, protocol), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int bind(MemorySegment cs, int fd, MemorySegment addr, int len) {
        try {
            return result((int) BIND.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int connect(MemorySegment cs, int fd, MemorySegment addr, int len) {
        try {
            return result((int) CONNECT.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int setsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment val, int len) {
        try {
            return result((int) SETSOCKOPT.invokeExact(cs, fd, level, name, val, len), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment val, MemorySegment len) {
        try {
            return result((int) GETSOCKOPT.invokeExact(cs, fd, level, name, val, len), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int getsockname(MemorySegment cs, int fd, MemorySegment addr, MemorySegment len) {
        try {
            return result((int) GETSOCKNAME.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int recvmmsg(MemorySegment cs, int fd, long vec, int vlen, int flags) {
        try {
            return result((int) RECVMMSG.invokeExact(cs, fd, vec, vlen, flags, 0L), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int sendmmsg(MemorySegment cs, int fd, long vec, int vlen, int flags) {
        try {
            return result((int) SENDMMSG.invokeExact(cs, fd, vec, vlen, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static long sendmsg(MemorySegment cs, int fd, long msg, int flags) {
        try {
            return result((long) SENDMSG.invokeExact(cs, fd, msg, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static long recvmsg(MemorySegment cs, int fd, long msg, int flags) {
        try {
            return result((long) RECVMSG.invokeExact(cs, fd, msg, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** open(2) of a NUL-terminated path; the fd, or -errno. */
    public static int open(MemorySegment cs, MemorySegment path, int flags) {
        try {
            return result((int) OPEN.invokeExact(cs, path, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to; 0, or -errno. */
    public static int setns(MemorySegment cs, int fd, int nstype) {
        try {
            return result((int) SETNS.invokeExact(cs, fd, nstype), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int close(MemorySegment cs, int fd) {
        try {
            return result((int) CLOSE.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int epollCreate1(MemorySegment cs, int flags) {
        try {
            return result((int) EPOLL_CREATE1.invokeExact(cs, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int epollCtl(MemorySegment cs, int epfd, int op, int fd, MemorySegment event) {
        try {
            return result((int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int epollWait(MemorySegment cs, int epfd, MemorySegment events, int max, int timeoutMs) {
        try {
            return result((int) EPOLL_WAIT.invokeExact(cs, epfd, events, max, timeoutMs), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static int eventfd(MemorySegment cs, int initval, int flags) {
        try {
            return result((int) EVENTFD.invokeExact(cs, initval, flags), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static long read(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return result((long) READ.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    public static long write(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return result((long) WRITE.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }
}
