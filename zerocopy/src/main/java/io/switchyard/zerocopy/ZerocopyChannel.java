package io.switchyard.zerocopy;

import io.switchyard.io.SendRefusal;

/**
 * The seam between the {@link ZerocopyCompletionTracker} and one real socket: the three
 * syscall-level operations MSG_ZEROCOPY needs. {@code io-native} provides the socket; an
 * implementation of this interface (an adapter in this module or in {@code router}, since
 * {@code io-native} cannot depend on {@code zerocopy}) maps them onto it. Tests drive the
 * tracker through a simulated kernel.
 *
 * <p><b>Threading.</b> One tracker per socket, called only by the actor that owns the socket's
 * peer. Implementations need not be thread-safe. The socket is non-blocking: no method may
 * block (an FFM downcall pins the virtual thread's carrier).
 *
 * <p><b>Contract for implementers.</b>
 * <ul>
 *   <li>{@link #enableZerocopy()}: {@code setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY=60, &1, 4)}.
 *       Return false on any error (ENOPROTOOPT and EOPNOTSUPP on old kernels, ...); the tracker
 *       then never asks for a zerocopy send. Called once, before any send.</li>
 *   <li>{@link #send(PacketBatch, boolean)}: exactly one {@code sendmsg(2)} on the connected
 *       socket carrying the batch: one iovec per buffer ({@code slot + offset}, {@code length});
 *       with more than one buffer a {@code UDP_SEGMENT} cmsg of the first buffer's length (GSO);
 *       for a batch made by {@link PacketBatch#addTrain} a {@code UDP_SEGMENT} cmsg of
 *       {@link PacketBatch#segmentSize()} over the one buffer.
 *       Flags: {@code MSG_DONTWAIT}, plus {@code MSG_ZEROCOPY (0x4000000)} when
 *       {@code zerocopy} is true. The kernel numbers each successful MSG_ZEROCOPY
 *       {@code sendmsg} with the next 32-bit id (starting at 0 on a fresh socket); a call that
 *       fails consumes no id. So: exactly one message per call, never {@code sendmmsg} here,
 *       and never MSG_ZEROCOPY behind the tracker's back. Map the result:
 *       success → {@link SendStatus#SENT}; a copying send taken only in part (possible only
 *       when GSO is off, datagram by datagram) → {@link SendStatus#SENT_IN_PART} with
 *       {@link #unsentDatagrams()}; EAGAIN/EWOULDBLOCK before anything went out →
 *       {@link SendStatus#WOULD_BLOCK};
 *       ENOBUFS → {@link SendStatus#NO_BUFFERS} (for zerocopy sends this is the optmem limit
 *       on pending notifications; the tracker resends the same batch by copying); anything
 *       else that means the batch will not go out → {@link SendStatus#FAILED}. GSO downgrades
 *       (EIO/EINVAL: resend without UDP_SEGMENT) belong inside this call, before it returns.
 *       Never release or keep the batch's buffers: the tracker owns them.</li>
 *   <li>{@link #drainErrorQueue(CompletionSink)}: loop
 *       {@code recvmsg(fd, msg, MSG_ERRQUEUE | MSG_DONTWAIT)} until EAGAIN, with a preallocated
 *       control buffer (no data buffer needed). For every cmsg of level SOL_IP/IP_RECVERR (11)
 *       or SOL_IPV6/IPV6_RECVERR (25), decode {@code struct sock_extended_err} (errno@0 u32,
 *       origin@4 u8, type@5 u8, code@6 u8, info@8 u32, data@12 u32) and call the sink once,
 *       passing every entry whatever its origin. Return the number of entries. No allocation
 *       per entry. Throw only for a broken socket (EBADF and the like).</li>
 * </ul>
 * The poller side: epoll always reports EPOLLERR (it need not be requested). io-native registers
 * sockets edge-triggered (EPOLLET), so EPOLLERR comes once per wake-up of the socket, and the
 * kernel wakes it for every completion it queues (even one merged into an entry already on
 * the queue); the socket's readiness latches the edge until the next wait. On it, the owner
 * calls {@link ZerocopyCompletionTracker#onErrorQueueReadable()}, which reads until the queue
 * is empty (see the package documentation for the watcher loop).
 *
 * <p>The product implementation is {@link UdpZerocopyChannel} over {@code io-native}'s
 * {@code UdpSocket}; the real-kernel tests that use it pin down the facts above: ids start at
 * 0 and a GSO train takes one id; loopback completes COPIED; a single datagram larger than the
 * MTU is always COPIED (fragmented with a software checksum), so zerocopy wants GSO trains of
 * MTU-size segments, which complete without a copy through a veth.
 */
public interface ZerocopyChannel {

    /** Sets SO_ZEROCOPY on the socket; false if the kernel refuses. */
    boolean enableZerocopy();

    /** One {@code sendmsg} of the batch, with MSG_ZEROCOPY if asked. Never blocks. */
    SendStatus send(PacketBatch batch, boolean zerocopy);

    /** Reads the error queue until empty, handing every entry to the sink; returns the count. */
    int drainErrorQueue(CompletionSink sink);

    /**
     * After a {@link #send} that returned {@link SendStatus#SENT_IN_PART}: how many of the
     * batch's datagrams did not go out (a train counts its segments). 0 after any other result.
     */
    default int unsentDatagrams() {
        return 0;
    }

    /**
     * After a copying {@link #send}: why the kernel refused datagram {@code i} of the batch (a
     * per-datagram error: too big, unreachable, denied), or null if it was not refused. Such a
     * datagram did not leave although the send "went out".
     */
    default SendRefusal refusal(int i) {
        return null;
    }
}
