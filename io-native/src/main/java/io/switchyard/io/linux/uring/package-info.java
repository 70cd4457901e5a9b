/**
 * io_uring through FFM, for the {@code linux-uring} datagram transport
 * ({@code io.switchyard.io.UringUdpSocket}): the raw system calls ({@link
 * io.switchyard.io.linux.uring.UringCalls}, through {@code syscall(2)}), one memory layout per
 * uapi struct ({@link io.switchyard.io.linux.uring.UringStructs}), a ring with its
 * acquire/release protocol on the mmap'd SQ and CQ ({@link io.switchyard.io.linux.uring.Ring}),
 * a provided-buffer ring ({@link io.switchyard.io.linux.uring.BufferRing}) and the capability
 * probe ({@link io.switchyard.io.linux.uring.UringProbe}).
 *
 * <p>Nothing here waits in the kernel: {@code io_uring_enter} is only called to submit or to
 * flush, never with {@code min_complete}, so a virtual thread in a downcall pins its carrier
 * only as long as a {@code sendmmsg} would. Waiting for completions is an eventfd registered
 * with the ring and with the epoll poller. Design, measurements and limits: docs/perf-uring.md.
 */
package io.switchyard.io.linux.uring;
