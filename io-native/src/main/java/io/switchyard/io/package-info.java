/**
 * Datagram transports for Switchyard: {@link io.switchyard.io.UdpSocket} with batch receive into
 * native slots ({@link io.switchyard.io.RecvBatch}) and batch or GSO-train send
 * ({@link io.switchyard.io.SendBatch}), opened by {@link io.switchyard.io.Datagrams}. On Linux the
 * transport is FFM ({@code recvmmsg}, {@code sendmmsg}, UDP GSO/GRO, epoll readiness for virtual
 * threads); elsewhere, or on request, it is {@code java.nio}. On request
 * ({@link io.switchyard.io.Transport#URING}) it is io_uring: multishot recvmsg into a
 * provided-buffer ring, linked sendmsg submissions, SENDMSG_ZC (docs/perf-uring.md).
 * {@link io.switchyard.io.Capabilities} says what is available and why not.
 */
package io.switchyard.io;
