package io.switchyard.io.linux.uring;

import static io.switchyard.io.linux.LinuxStructs.IOVEC;
import static io.switchyard.io.linux.LinuxStructs.IOV_BASE;
import static io.switchyard.io.linux.LinuxStructs.IOV_LEN;
import static io.switchyard.io.linux.LinuxStructs.MSGHDR;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOV;
import static io.switchyard.io.linux.LinuxStructs.MSG_IOVLEN;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAME;
import static io.switchyard.io.linux.LinuxStructs.MSG_NAMELEN;
import static io.switchyard.io.linux.LinuxStructs.SIN_ADDR_OFFSET;
import static io.switchyard.io.linux.LinuxStructs.SIN_FAMILY;
import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_IN;
import static io.switchyard.io.linux.uring.UringStructs.PO_FLAGS;
import static io.switchyard.io.linux.uring.UringStructs.PO_OP;
import static io.switchyard.io.linux.uring.UringStructs.PROBE;
import static io.switchyard.io.linux.uring.UringStructs.PROBE_OP;
import static io.switchyard.io.linux.uring.UringStructs.PROBE_OPS_LEN;

import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether the io_uring transport can run here, and if not, why. Checks, in order, what can
 * refuse it: the operator switch ({@code -Dswitchyard.io.uring=false}), the
 * {@code kernel.io_uring_disabled} sysctl, {@code io_uring_setup} itself (ENOSYS on kernels
 * without it, EPERM under the sysctl or a seccomp filter such as container runtimes install),
 * the ring features relied on (NODROP: a full CQ keeps completions instead of dropping them),
 * IORING_REGISTER_PROBE for the opcodes used (RECVMSG, SENDMSG; SENDMSG_ZC optional), a
 * provided-buffer ring registration (5.19+), and finally a real multishot recvmsg on a loopback
 * socket that must deliver one datagram into a provided buffer with IORING_CQE_F_MORE (6.0+).
 *
 * <p>Caveat: a seccomp filter that kills instead of failing the call cannot be probed from
 * inside the process; such hosts must set {@code -Dswitchyard.io.uring=false}.
 */
public final class UringProbe {
    private UringProbe() {}

    /** The outcome: {@code unavailable} is null when the transport works. */
    public record Result(String unavailable, boolean sendZeroCopy, String zeroCopyReason) {}

    private static volatile Result result;

    public static Result probe() {
        Result r = result;
        if (r == null) {
            synchronized (UringProbe.class) {
                r = result;
                if (r == null) {
                    r = run();
                    result = r;
                }
            }
        }
        return r;
    }

    private static Result run() {
        if (!Boolean.parseBoolean(System.getProperty("switchyard.io.uring", "true"))) {
            return off("turned off with -Dswitchyard.io.uring=false");
        }
        String sysctl = readSysctl();
        if ("2".equals(sysctl)) {
            return off("disabled by the kernel.io_uring_disabled=2 sysctl");
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cs = LibC.newCallState(a);
            Ring ring;
            try {
                ring = Ring.open(4, 8);
            } catch (TransportException e) {
                String why = switch (e.error()) {
                    case "EPERM" -> " (kernel.io_uring_disabled=" + sysctl + ", or a seccomp filter)";
                    case "ENOSYS" -> " (kernel built without io_uring)";
                    default -> "";
                };
                return off(e.getMessage() + why);
            }
            try (ring) {
                if ((ring.features() & Uring.IORING_FEAT_NODROP) == 0) {
                    return off("io_uring lacks IORING_FEAT_NODROP (kernel older than 5.5)");
                }
                MemorySegment probe = a.allocate(PROBE.byteSize() + PROBE_OP.byteSize() * 256, 8);
                int r = ring.register(cs, Uring.IORING_REGISTER_PROBE, probe.address(), 256);
                if (r < 0) {
                    return off("io_uring_register(PROBE): " + Errno.name(-r) + " (kernel older than 5.6)");
                }
                int opsLen = Byte.toUnsignedInt((byte) PROBE_OPS_LEN.get(probe, 0L));
                if (!supported(probe, opsLen, Uring.IORING_OP_RECVMSG) || !supported(probe, opsLen, Uring.IORING_OP_SENDMSG)) {
                    return off("io_uring opcode RECVMSG or SENDMSG not supported");
                }
                boolean zc = supported(probe, opsLen, Uring.IORING_OP_SENDMSG_ZC);
                String zcReason = zc ? null : "io_uring opcode SENDMSG_ZC not supported (kernel older than 6.1)";
                String ms = multishotWorks(a, cs, ring);
                if (ms != null) {
                    return off(ms);
                }
                return new Result(null, zc, zcReason);
            }
        } catch (Throwable t) {
            // FFM refused (no --enable-native-access) or a symbol is missing.
            return off("io_uring probe failed: " + t + (t.getCause() != null ? " (" + t.getCause() + ")" : ""));
        }
    }

    private static Result off(String why) {
        return new Result(why, false, "needs the io_uring transport: " + why);
    }

    private static String readSysctl() {
        try {
            return Files.readString(Path.of(Uring.DISABLED_SYSCTL)).trim();
        } catch (IOException | RuntimeException e) {
            return "absent"; // kernels before 6.6 have no such switch
        }
    }

    private static boolean supported(MemorySegment probe, int opsLen, byte op) {
        if (op >= opsLen) {
            return false;
        }
        long o = PROBE.byteSize() + PROBE_OP.byteSize() * op;
        return (byte) PO_OP.get(probe, o) == op
                && ((short) PO_FLAGS.get(probe, o) & Uring.IO_URING_OP_SUPPORTED) != 0;
    }

    /** Registers a one-buffer ring, arms a multishot recvmsg on a loopback socket and sends it a datagram. */
    private static String multishotWorks(Arena a, MemorySegment cs, Ring ring) throws TransportException {
        BufferRing buffers = new BufferRing(1, (int) Uring.PAGE, (short) 0);
        int fd = -1;
        try {
            try {
                buffers.register(ring, cs);
            } catch (TransportException e) {
                return e.getMessage() + " (provided buffer rings need kernel 5.19)";
            }
            buffers.publish(0);
            buffers.commit();
            fd = LibC.socket(cs, Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return "socket: " + Errno.name(-fd);
            }
            MemorySegment addr = a.allocate(SOCKADDR_IN);
            SIN_FAMILY.set(addr, 0L, (short) Linux.AF_INET);
            addr.set(ValueLayout.JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN), SIN_ADDR_OFFSET, 0x7f000001);
            int r = LibC.bind(cs, fd, addr, (int) SOCKADDR_IN.byteSize());
            MemorySegment alen = a.allocate(ValueLayout.JAVA_INT);
            alen.set(ValueLayout.JAVA_INT, 0, (int) SOCKADDR_IN.byteSize());
            if (r < 0 || (r = LibC.getsockname(cs, fd, addr, alen)) < 0) {
                return "loopback socket for the probe: " + Errno.name(-r);
            }
            MemorySegment rmsg = a.allocate(MSGHDR);
            MSG_NAMELEN.set(rmsg, 0L, (int) SOCKADDR_IN.byteSize());
            ring.prep(Uring.IORING_OP_RECVMSG, Uring.IOSQE_BUFFER_SELECT, Uring.IORING_RECV_MULTISHOT, fd,
                    rmsg.address(), 0, 0, 1L, buffers.groupId());
            r = ring.submit(cs);
            if (r < 0) {
                return "io_uring_enter: " + Errno.name(-r);
            }
            MemorySegment payload = a.allocate(8);
            MemorySegment iov = a.allocate(IOVEC);
            IOV_BASE.set(iov, 0L, payload.address());
            IOV_LEN.set(iov, 0L, 8L);
            MemorySegment smsg = a.allocate(MSGHDR);
            MSG_NAME.set(smsg, 0L, addr.address());
            MSG_NAMELEN.set(smsg, 0L, (int) SOCKADDR_IN.byteSize());
            MSG_IOV.set(smsg, 0L, iov.address());
            MSG_IOVLEN.set(smsg, 0L, 1L);
            long sent = LibC.sendmsg(cs, fd, smsg.address(), Linux.MSG_DONTWAIT);
            if (sent < 0) {
                return "probe datagram: sendmsg " + Errno.name((int) -sent);
            }
            // The completion is posted by task work that runs when this thread leaves the kernel;
            // flush (a non-waiting enter) and poll briefly rather than wait in the kernel.
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (ring.cqReady() == 0 && System.nanoTime() < deadline) {
                ring.flush(cs);
                if (ring.cqReady() == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            if (ring.cqReady() == 0) {
                return "multishot recvmsg delivered nothing within 500 ms";
            }
            int res = ring.cqeRes(0);
            int flags = ring.cqeFlags(0);
            ring.cqAdvance(1);
            if (res < 0) {
                return "multishot recvmsg with provided buffers: " + Errno.name(-res)
                        + (-res == Errno.EINVAL ? " (kernel older than 6.0)" : "");
            }
            if ((flags & Uring.IORING_CQE_F_BUFFER) == 0 || (flags & Uring.IORING_CQE_F_MORE) == 0) {
                return "multishot recvmsg completed without a provided buffer or ended at once (flags 0x"
                        + Integer.toHexString(flags) + ")";
            }
            return null;
        } finally {
            buffers.unregister(ring, cs);
            if (fd >= 0) {
                LibC.close(cs, fd);
            }
            buffers.close();
        }
    }
}
