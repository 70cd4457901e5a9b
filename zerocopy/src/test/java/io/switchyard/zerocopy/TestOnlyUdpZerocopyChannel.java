package io.switchyard.zerocopy;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A minimal IPv4 UDP {@link ZerocopyChannel} over raw FFM, for this module's real-kernel tests
 * only, so the seam's contract is checked against Linux before {@code io-native} provides the
 * product implementation. Offsets are the x86_64 glibc ones from the design notes. Not for
 * reuse: no IPv6, no error mapping beyond what the tests need, allocation per call is fine here.
 */
final class TestOnlyUdpZerocopyChannel implements ZerocopyChannel, AutoCloseable {
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOL_SOCKET = 1;
    static final int SO_ZEROCOPY = 60;
    static final int SOL_IP = 0;
    static final int IP_RECVERR = 11;
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int MSG_ZEROCOPY = 0x4000000;
    static final int EAGAIN = 11;
    static final int ENOBUFS = 105;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMSG = downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno = arena.allocate(CAPTURE);
    private final MemorySegment msghdr = arena.allocate(56, 8);
    private final MemorySegment iov = arena.allocate(16L * 64, 8);
    private final MemorySegment control = arena.allocate(256, 8);
    private final int fd;
    private boolean closed;
    int lastErrno;

    /** A non-blocking UDP socket connected to {@code 127.0.0.1:port} (or any IPv4 address). */
    TestOnlyUdpZerocopyChannel(byte[] address, int port) throws Throwable {
        fd = (int) SOCKET.invokeExact(errno, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        check(fd, "socket");
        MemorySegment sa = arena.allocate(16, 4);
        sa.set(JAVA_SHORT, 0, (short) AF_INET);
        sa.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
        MemorySegment.copy(address, 0, sa, JAVA_BYTE, 4, 4);
        check((int) CONNECT.invokeExact(errno, fd, sa, 16), "connect");
    }

    private void check(long result, String call) {
        if (result < 0) {
            throw new IllegalStateException(call + " failed, errno " + (int) ERRNO.get(errno, 0L));
        }
    }

    @Override
    public boolean enableZerocopy() {
        try {
            MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            int r = (int) SETSOCKOPT.invokeExact(errno, fd, SOL_SOCKET, SO_ZEROCOPY, one, 4);
            return r == 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public SendStatus send(PacketBatch batch, boolean zerocopy) {
        try {
            for (int i = 0; i < batch.size(); i++) {
                PacketBuffer b = batch.get(i);
                iov.set(JAVA_LONG, i * 16L, b.slot().address() + b.offset());
                iov.set(JAVA_LONG, i * 16L + 8, b.length());
            }
            msghdr.fill((byte) 0);
            msghdr.set(ADDRESS, 16, iov);
            msghdr.set(JAVA_LONG, 24, batch.size());
            if (batch.size() > 1) {
                // GSO: cmsg_len 18 (16-byte header + u16), CMSG_SPACE 24.
                control.fill((byte) 0);
                control.set(JAVA_LONG, 0, 18);
                control.set(JAVA_INT, 8, SOL_UDP);
                control.set(JAVA_INT, 12, UDP_SEGMENT);
                control.set(JAVA_SHORT, 16, (short) batch.get(0).length());
                msghdr.set(ADDRESS, 32, control);
                msghdr.set(JAVA_LONG, 40, 24);
            }
            int flags = MSG_DONTWAIT | (zerocopy ? MSG_ZEROCOPY : 0);
            long r = (long) SENDMSG.invokeExact(errno, fd, msghdr, flags);
            if (r >= 0) {
                return SendStatus.SENT;
            }
            lastErrno = (int) ERRNO.get(errno, 0L);
            return switch (lastErrno) {
                case EAGAIN -> SendStatus.WOULD_BLOCK;
                case ENOBUFS -> SendStatus.NO_BUFFERS;
                default -> SendStatus.FAILED;
            };
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public int drainErrorQueue(CompletionSink sink) {
        int entries = 0;
        try {
            while (true) {
                msghdr.fill((byte) 0);
                msghdr.set(ADDRESS, 32, control);
                msghdr.set(JAVA_LONG, 40, control.byteSize());
                long r = (long) RECVMSG.invokeExact(errno, fd, msghdr, MSG_ERRQUEUE | MSG_DONTWAIT);
                if (r < 0) {
                    lastErrno = (int) ERRNO.get(errno, 0L);
                    if (lastErrno == EAGAIN) {
                        return entries;
                    }
                    throw new IllegalStateException("recvmsg(MSG_ERRQUEUE) errno " + lastErrno);
                }
                long controlLength = msghdr.get(JAVA_LONG, 40);
                long at = 0;
                while (at + 16 <= controlLength) {
                    long cmsgLength = control.get(JAVA_LONG, at);
                    int level = control.get(JAVA_INT, at + 8);
                    int type = control.get(JAVA_INT, at + 12);
                    if (level == SOL_IP && type == IP_RECVERR && cmsgLength >= 16 + 16) {
                        long ee = at + 16;
                        sink.onErrorQueueEntry(
                                Byte.toUnsignedInt(control.get(JAVA_BYTE, ee + 4)),
                                control.get(JAVA_INT, ee),
                                Byte.toUnsignedInt(control.get(JAVA_BYTE, ee + 6)),
                                control.get(JAVA_INT, ee + 8),
                                control.get(JAVA_INT, ee + 12));
                        entries++;
                    }
                    if (cmsgLength < 16) {
                        break;
                    }
                    at += (cmsgLength + 7) & ~7L;
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                int unused = (int) CLOSE.invokeExact(errno, fd);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            arena.close();
        }
    }
}
