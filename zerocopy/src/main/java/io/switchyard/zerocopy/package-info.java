/**
 * Off-heap packet buffers and MSG_ZEROCOPY sends.
 *
 * <ul>
 *   <li>{@link io.switchyard.zerocopy.MpmcBufferPool}: bounded, lock-free pool of fixed-size native
 *       slots ({@link io.switchyard.zerocopy.PacketBuffer}), an MTU class and a 64 KiB class.</li>
 *   <li>{@link io.switchyard.zerocopy.ZerocopyCompletionTracker}: per-socket sender that uses
 *       MSG_ZEROCOPY when it pays and holds buffers until the kernel completes them, through the
 *       {@link io.switchyard.zerocopy.ZerocopyChannel} seam onto a real socket.</li>
 *   <li>{@link io.switchyard.zerocopy.ZerocopyCounter}: everything counted.</li>
 * </ul>
 */
package io.switchyard.zerocopy;
