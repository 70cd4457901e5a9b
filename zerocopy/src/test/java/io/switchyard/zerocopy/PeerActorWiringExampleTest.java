package io.switchyard.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.switchyard.actors.ActorRef;
import io.switchyard.actors.ActorSystem;
import io.switchyard.actors.Props;
import io.switchyard.counters.CounterSet;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.errors.TransportException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The peer-actor wiring from the package documentation, kept verbatim between the markers and
 * run against a loopback receiver: the watcher thread wakes on EPOLLERR and the actor releases
 * the train's buffers through the tracker. If the example stops compiling or working, so does
 * this test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerActorWiringExampleTest {
    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    // ---- example: types
    sealed interface PeerMsg permits Send, ErrorQueueReadable {}
    record Send(PacketBatch batch) implements PeerMsg {}
    record ErrorQueueReadable(ActorRef<Boolean> done) implements PeerMsg {}
    // ---- end

    @Test
    void thePackageDocumentationWiringWorks() throws Throwable {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
        var counters = CounterSet.striped(ZerocopyCounter.class);
        MpmcBufferPool pool = leakCheck.mtu(64, counters);
        try (DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
             ActorSystem system = ActorSystem.create("wiring")) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            var peerEndpoint = (InetSocketAddress) receiver.getLocalAddress();
            var watcherEnded = new CompletableFuture<String>();

            // ---- example: wiring (package-info.java)
            var channel = UdpZerocopyChannel.open(UdpOptions.create().connect(peerEndpoint), 64);
            var tracker = new ZerocopyCompletionTracker(channel, ZerocopyConfig.defaults(),
                    CounterSet.striped(ZerocopyCounter.class), System::nanoTime);
            ActorRef<PeerMsg> peer = system.spawn(Props.<PeerMsg>of(ctx -> msg -> {
                switch (msg) {
                    case Send s -> tracker.send(s.batch());
                    case ErrorQueueReadable r -> {
                        tracker.onErrorQueueReadable();   // reads every completion queued so far
                        r.done().tell(true);
                    }
                }
            }), "peer");

            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        channel.awaitErrorQueue();
                        peer.<Boolean>ask(ErrorQueueReadable::new, Duration.ofSeconds(5)).join();
                    }
                } catch (TransportException closed) {
                    // SocketClosedException: the socket is gone, the actor calls tracker.socketClosed()
                    watcherEnded.complete("closed"); // (test only)
                } catch (CompletionException gone) {
                    // the actor stopped (or did not answer in time): stop watching
                    watcherEnded.complete("actor gone"); // (test only)
                }
            });
            // ---- end

            assumeTrue(channel.enableZerocopy(), "kernel refused SO_ZEROCOPY");
            var batch = new PacketBatch(64);
            for (int s = 0; s < 8; s++) {
                batch.add(pool.acquire().window(0, 1400));
            }
            peer.tell(new Send(batch));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pool.inUse() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(0, pool.inUse(), "the watcher woke the actor and the completion freed the train");
            assertTrue(counters.get(ZerocopyCounter.DOUBLE_RELEASE) == 0);
            // Close: the socket first wakes the watcher with SocketClosedException.
            channel.close();
            assertEquals("closed", watcherEnded.get(30, TimeUnit.SECONDS));
            // The tracker's close calls belong to the actor; the pool being empty shows the
            // actor is done with it, so this thread may make them now.
            assertEquals(0, tracker.close());
            tracker.socketClosed();
        }
    }
}
