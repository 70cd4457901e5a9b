package io.switchyard.io.linux.uring;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.switchyard.io.linux.LibC;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The raw io_uring system calls and the memory mapping they need, as static final downcall
 * handles with errno captured by the linker (as in {@link LibC}). glibc has no io_uring
 * wrappers, so the three calls go through {@code syscall(2)}, a variadic function: the handle is
 * linked with {@code firstVariadicArg(1)} and every argument passed as a {@code long}, which is
 * what the variadic ABI promotes them to anyway.
 *
 * <p>Each wrapper returns the result when non-negative and {@code -errno} when the call failed,
 * never throws; {@link io.switchyard.io.linux.Errno#exception} is still the one mapper to an
 * exception. None of these block: {@link #enter} is only ever called without a wait
 * ({@code min_complete} 0), so a virtual thread inside it pins its carrier for the time of a
 * submission, like a {@code sendmmsg}, never for the time of a wait.
 */
public final class UringCalls {
    private UringCalls() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static MethodHandle downcall(String name, FunctionDescriptor d, Linker.Option... more) {
        var symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc symbol not found: " + name));
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol, d, options);
    }

    /** {@code long syscall(long number, ...)} with six variadic long arguments. */
    private static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));

    private static long result(long r, MemorySegment state) {
        return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    private static RuntimeException bug(Throwable t) {
        return new IllegalStateException("downcall failed", t);
    }

    private static long syscall(MemorySegment cs, long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return result((long) SYSCALL.invokeExact(cs, nr, a, b, c, d, e, f), cs);
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /** {@code io_uring_setup(entries, params)}: the ring fd or -errno. */
    public static int setup(MemorySegment cs, int entries, MemorySegment params) {
        return (int) syscall(cs, Uring.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
    }

    /**
     * {@code io_uring_enter(fd, toSubmit, 0, flags, NULL, 0)}: submitted count or -errno. There is
     * no {@code min_complete} parameter on purpose: this module never waits in the kernel.
     */
    public static int enter(MemorySegment cs, int ringFd, int toSubmit, int flags) {
        return (int) syscall(cs, Uring.SYS_IO_URING_ENTER, ringFd, toSubmit, 0, flags, 0, 0);
    }

    /** {@code io_uring_register(fd, opcode, arg, nrArgs)}: result or -errno. */
    public static int register(MemorySegment cs, int ringFd, int opcode, long arg, int nrArgs) {
        return (int) syscall(cs, Uring.SYS_IO_URING_REGISTER, ringFd, opcode, arg, nrArgs, 0, 0);
    }

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}: the address or -errno. */
    public static long mmap(MemorySegment cs, long length, int prot, int flags, int fd, long offset) {
        try {
            long r = (long) MMAP.invokeExact(cs, 0L, length, prot, flags, fd, offset);
            // MAP_FAILED is (void*)-1; any other value is an address, even a "negative" one.
            return r == -1L ? -(int) ERRNO.get(cs, 0L) : r;
        } catch (Throwable t) {
            throw bug(t);
        }
    }

    /**
     * munmap for an arena's cleanup action: with its own call state, because the arena's own
     * segments are already closed when cleanup runs.
     */
    public static void unmapOnClose(long address, long length) {
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            munmap(LibC.newCallState(a), address, length);
        }
    }

    public static int munmap(MemorySegment cs, long address, long length) {
        try {
            int r = (int) MUNMAP.invokeExact(cs, address, length);
            return r >= 0 ? r : -(int) ERRNO.get(cs, 0L);
        } catch (Throwable t) {
            throw bug(t);
        }
    }
}
