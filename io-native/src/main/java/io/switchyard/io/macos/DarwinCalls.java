package io.switchyard.io.macos;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * macOS batch and readiness calls: {@code recvmsg_x}/{@code sendmsg_x} (private but stable
 * libsystem_kernel API: {@code ssize_t recvmsg_x(int s, const struct msghdr_x *msgp, u_int cnt,
 * int flags)}, returning the number of messages) and kqueue. UNTESTED ON HARDWARE; the handles
 * link lazily, on first use, so this class loads on Linux for the descriptor tests.
 */
public final class DarwinCalls {
    private DarwinCalls() {}

    public static final FunctionDescriptor RECVMSG_X =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    public static final FunctionDescriptor SENDMSG_X =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    public static final FunctionDescriptor KQUEUE = FunctionDescriptor.of(JAVA_INT);
    /** {@code int kevent(int kq, const struct kevent *changelist, int nchanges, struct kevent *eventlist, int nevents, const struct timespec *timeout)}. */
    public static final FunctionDescriptor KEVENT =
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);

    /** Links {@code name} with errno capture; fails with UnsatisfiedLinkError off macOS. */
    public static MethodHandle link(String name, FunctionDescriptor descriptor) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(
                linker.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError(name + " (not macOS?)")),
                descriptor, Linker.Option.captureCallState("errno"));
    }

    /** Lazily linked handles (holder idiom: nothing links until a Mac path touches them). */
    public static final class Handles {
        private Handles() {}

        public static final MethodHandle RECVMSG_X_HANDLE = link("recvmsg_x", RECVMSG_X);
        public static final MethodHandle SENDMSG_X_HANDLE = link("sendmsg_x", SENDMSG_X);
        public static final MethodHandle KQUEUE_HANDLE = link("kqueue", KQUEUE);
        public static final MethodHandle KEVENT_HANDLE = link("kevent", KEVENT);
    }
}
