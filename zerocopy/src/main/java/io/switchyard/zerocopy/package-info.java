/**
 * Off-heap packet buffers and MSG_ZEROCOPY sends.
 *
 * <ul>
 *   <li>{@link io.switchyard.zerocopy.MpmcBufferPool}: bounded, lock-free pool of fixed-size native
 *       slots ({@link io.switchyard.zerocopy.PacketBuffer}), an MTU class and a 64 KiB class.</li>
 *   <li>{@link io.switchyard.zerocopy.ZerocopyCompletionTracker}: per-socket sender that uses
 *       MSG_ZEROCOPY when it pays and holds buffers until the kernel completes them, through the
 *       {@link io.switchyard.zerocopy.ZerocopyChannel} seam onto a real socket.</li>
 *   <li>{@link io.switchyard.zerocopy.UdpZerocopyChannel}: the product channel, a connected
 *       {@code io-native} {@code UdpSocket} opened with SO_ZEROCOPY.</li>
 *   <li>{@link io.switchyard.zerocopy.ZerocopyCounter}: everything counted.</li>
 * </ul>
 *
 * <h2>Using it from a peer actor</h2>
 * The tracker belongs to the actor that owns the peer: every call below is made by that actor.
 * A separate virtual thread only waits for EPOLLERR and tells the actor.
 * <pre>{@code
 * var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(peerEndpoint), 64);
 * var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(),
 *         new ZerocopyCounters(), System::nanoTime);
 *
 * // Send: a PacketBatch of pooled buffers, all the first one's length except the last
 * // (a GSO train, at most 64 segments and 65,507 bytes), or a single buffer. The tracker
 * // picks MSG_ZEROCOPY (size >= config threshold, copy ratio low) or a copying send, and
 * // owns the buffers unless the outcome is WOULD_BLOCK (then retry when writable).
 * SendOutcome outcome = tracker.send(batch);
 *
 * // Completions: read opportunistically before zerocopy sends (the tracker does this), and
 * // on EPOLLERR. The watcher hands off to the actor and waits for it to have drained,
 * // because EPOLLERR is level-triggered and would otherwise wake it again at once:
 * Thread.ofVirtual().start(() -> {
 *     try {
 *         while (true) {
 *             channel.awaitErrorQueue();
 *             actor.ask(tracker::onErrorQueueReadable);   // runs on the actor, waits for it
 *         }
 *     } catch (SocketClosedException closed) {
 *         // socket gone: the actor calls tracker.socketClosed()
 *     }
 * });
 *
 * // Close: stop sending, read what completed, close the socket, then let the grace run out.
 * int outstanding = tracker.close();
 * channel.close();
 * tracker.socketClosed();      // buffers still held come back after closeGrace, via tick()
 * }</pre>
 */
package io.switchyard.zerocopy;
