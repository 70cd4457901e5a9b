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
 * The tracker belongs to the actor that owns the peer: every tracker call below is made by that
 * actor. A separate virtual thread only waits for EPOLLERR and tells the actor. (This code is
 * compiled and run as {@code PeerActorWiringExampleTest}; keep the two the same.)
 * <pre>{@code
 * // The peer actor's messages: a batch to send, and "the error queue is readable" with a reply.
 * sealed interface PeerMsg permits Send, ErrorQueueReadable {}
 * record Send(PacketBatch batch) implements PeerMsg {}
 * record ErrorQueueReadable(ActorRef<Boolean> done) implements PeerMsg {}
 *
 * var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(peerEndpoint), 64);
 * var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(),
 *         CounterSet.striped(ZerocopyCounter.class), System::nanoTime);
 * ActorRef<PeerMsg> peer = system.spawn(Props.<PeerMsg>of(ctx -> msg -> {
 *     switch (msg) {
 *         // A PacketBatch of pooled buffers, all the first one's length except the last (a GSO
 *         // train, at most 64 segments and 65,507 bytes), one buffer, or one large buffer made
 *         // a train with PacketBatch.addTrain. The tracker picks MSG_ZEROCOPY (size >= the
 *         // threshold, copy ratio low) or a copying send, and owns the buffers unless the
 *         // outcome is WOULD_BLOCK (then keep the batch and retry when writable).
 *         case Send s -> tracker.send(s.batch());
 *         case ErrorQueueReadable r -> {
 *             tracker.onErrorQueueReadable();   // reads every completion queued so far
 *             r.done().tell(true);
 *         }
 *     }
 * }), "peer");
 *
 * // The watcher. io-native registers the socket edge-triggered (EPOLLET): every completion the
 * // kernel queues wakes the socket and raises a new EPOLLERR edge, which the socket's Readiness
 * // latches until the next awaitErrorQueue, so no completion is missed, and one that lands
 * // while the actor drains only makes the next await return at once (a harmless empty drain).
 * // Waiting for the actor's reply is not needed for correctness; it keeps at most one notice
 * // per socket in the mailbox, so a burst of completions costs one drain.
 * Thread.ofVirtual().start(() -> {
 *     try {
 *         while (true) {
 *             channel.awaitErrorQueue();
 *             peer.<Boolean>ask(ErrorQueueReadable::new, Duration.ofSeconds(5)).join();
 *         }
 *     } catch (TransportException closed) {
 *         // SocketClosedException: the socket is gone, the actor calls tracker.socketClosed()
 *     } catch (CompletionException gone) {
 *         // the actor stopped (or did not answer in time): stop watching
 *     }
 * });
 *
 * // Close (on the actor): stop sending, read what completed, close the socket, then let the
 * // grace run out.
 * int outstanding = tracker.close();
 * channel.close();
 * tracker.socketClosed();      // buffers still held come back after closeGrace, via tick()
 * }</pre>
 * Completions are also read opportunistically before zerocopy sends (the tracker does that).
 */
package io.switchyard.zerocopy;
