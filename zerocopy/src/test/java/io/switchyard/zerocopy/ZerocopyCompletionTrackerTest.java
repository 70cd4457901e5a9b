package io.switchyard.zerocopy;

import static io.switchyard.zerocopy.ZerocopyCounter.BACKOFFS;
import static io.switchyard.zerocopy.ZerocopyCounter.COMPLETED_COPIED;
import static io.switchyard.zerocopy.ZerocopyCounter.COMPLETED_ZEROCOPY;
import static io.switchyard.zerocopy.ZerocopyCounter.COMPLETIONS;
import static io.switchyard.zerocopy.ZerocopyCounter.COPY_SENDS;
import static io.switchyard.zerocopy.ZerocopyCounter.DUPLICATE_COMPLETION_IDS;
import static io.switchyard.zerocopy.ZerocopyCounter.ENOBUFS_FALLBACK;
import static io.switchyard.zerocopy.ZerocopyCounter.INVALID_COMPLETIONS;
import static io.switchyard.zerocopy.ZerocopyCounter.OTHER_ERROR_QUEUE_ENTRIES;
import static io.switchyard.zerocopy.ZerocopyCounter.RELEASED_AFTER_CLOSE;
import static io.switchyard.zerocopy.ZerocopyCounter.REPROBES;
import static io.switchyard.zerocopy.ZerocopyCounter.SEND_AFTER_CLOSE;
import static io.switchyard.zerocopy.ZerocopyCounter.SEND_FAILED;
import static io.switchyard.zerocopy.ZerocopyCounter.UNAVAILABLE;
import static io.switchyard.zerocopy.ZerocopyCounter.UNKNOWN_COMPLETION_IDS;
import static io.switchyard.zerocopy.ZerocopyCounter.WINDOW_FULL_FALLBACK;
import static io.switchyard.zerocopy.ZerocopyCounter.ZEROCOPY_SENDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.counters.CounterSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZerocopyCompletionTrackerTest {
    private static final int SEGMENT = 1400;
    /** 8 x 1400 = 11,200 bytes: above the 10 KiB default threshold. */
    private static final int TRAIN = 8;
    private static final int COPIED = CompletionSink.CODE_ZEROCOPY_COPIED;
    private static final int ZC = CompletionSink.ORIGIN_ZEROCOPY;

    @RegisterExtension
    final PoolLeakCheck leakCheck = new PoolLeakCheck();

    private final CounterSet<ZerocopyCounter> counters = CounterSet.striped(ZerocopyCounter.class);
    private MpmcBufferPool pool;
    private long now = 1_000_000_000L;

    @BeforeEach
    void createPool() {
        pool = leakCheck.mtu(1024, counters);
    }

    private ZerocopyCompletionTracker tracker(SimulatedZerocopyKernel kernel, ZerocopyConfig config, int firstId) {
        return new ZerocopyCompletionTracker(kernel, config, counters, () -> now, firstId);
    }

    private PacketBatch batch(int buffers, int length) {
        var batch = new PacketBatch(64);
        for (int i = 0; i < buffers; i++) {
            batch.add(pool.acquire().window(0, length));
        }
        return batch;
    }

    private PacketBatch train() {
        return batch(TRAIN, SEGMENT);
    }

    private List<PacketBuffer> buffersOf(PacketBatch batch) {
        var list = new ArrayList<PacketBuffer>();
        for (int i = 0; i < batch.size(); i++) {
            list.add(batch.get(i));
        }
        return list;
    }

    private static boolean allHeld(List<PacketBuffer> buffers) {
        return buffers.stream().allMatch(PacketBuffer::isHeld);
    }

    private static boolean noneHeld(List<PacketBuffer> buffers) {
        return buffers.stream().noneMatch(PacketBuffer::isHeld);
    }

    @Test
    void smallSendsAreCopiedAndTheirBuffersReleasedAtOnce() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        PacketBatch batch = batch(1, 1420);
        var buffers = buffersOf(batch);
        assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
        assertTrue(batch.isEmpty());
        assertTrue(noneHeld(buffers));
        assertFalse(kernel.sent.getFirst().zerocopy());
        assertEquals(0, kernel.nextId(), "copying sends take no id");
        assertEquals(1, counters.get(COPY_SENDS));
    }

    @Test
    void thresholdIsInclusiveAndConfigurable() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults().withSizeThreshold(4096), 0);
        assertEquals(SendOutcome.SENT_COPY, tracker.send(batch(2, 2047)));
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch(2, 2048)));
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void largeSendHoldsItsBuffersUntilTheKernelCompletesIt() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        PacketBatch batch = train();
        var buffers = buffersOf(batch);
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch));
        assertTrue(batch.isEmpty(), "ownership moved to the tracker");
        assertTrue(allHeld(buffers));
        assertEquals(1, tracker.outstandingSends());
        tracker.onErrorQueueReadable(); // nothing completed yet
        assertTrue(allHeld(buffers));
        kernel.complete(false, 0);
        tracker.onErrorQueueReadable();
        assertTrue(noneHeld(buffers));
        assertEquals(0, tracker.outstandingSends());
        assertEquals(1, counters.get(ZEROCOPY_SENDS));
        assertEquals(1, counters.get(COMPLETED_ZEROCOPY));
    }

    @Test
    void oneMergedRangeReleasesSeveralSends() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        var sends = new ArrayList<List<PacketBuffer>>();
        for (int i = 0; i < 5; i++) {
            PacketBatch b = train();
            sends.add(buffersOf(b));
            tracker.send(b);
        }
        kernel.completeAll(false);
        assertEquals(1, kernel.errorQueueLength(), "the kernel merged [0, 4] into one entry");
        tracker.onErrorQueueReadable();
        sends.forEach(s -> assertTrue(noneHeld(s)));
        assertEquals(1, counters.get(COMPLETIONS));
        assertEquals(5, counters.get(COMPLETED_ZEROCOPY));
    }

    @Test
    void outOfOrderCompletionsLeaveHolesAndReleaseExactlyTheirSends() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        var sends = new ArrayList<List<PacketBuffer>>();
        for (int i = 0; i < 6; i++) {
            PacketBatch b = train();
            sends.add(buffersOf(b));
            tracker.send(b);
        }
        int[][] order = {{2}, {4, 5}, {0}, {3}, {1}};
        var done = new boolean[6];
        for (int[] step : order) {
            kernel.complete(false, step);
            tracker.onErrorQueueReadable();
            for (int id : step) {
                done[id] = true;
            }
            int expectedHeld = 0;
            for (int id = 0; id < 6; id++) {
                assertEquals(!done[id], allHeld(sends.get(id)), "send " + id);
                assertEquals(done[id], noneHeld(sends.get(id)), "send " + id);
                expectedHeld += done[id] ? 0 : 1;
            }
            assertEquals(expectedHeld, tracker.outstandingSends());
            kernel.assertPendingBuffersUntouched();
        }
        assertEquals(0, counters.get(UNKNOWN_COMPLETION_IDS) + counters.get(DUPLICATE_COMPLETION_IDS));
    }

    /** Across 2^32 (unsigned wrap) and across 2^31 (where a signed comparison would break). */
    @ParameterizedTest
    @ValueSource(ints = {0xFFFF_FFFD, 0x7FFF_FFFD})
    void sendIdsWrapAround(int first) {
        var kernel = new SimulatedZerocopyKernel(first);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), first);
        var sends = new ArrayList<List<PacketBuffer>>();
        for (int i = 0; i < 6; i++) { // e.g. ids FFFFFFFD, FFFFFFFE, FFFFFFFF, 0, 1, 2
            PacketBatch b = train();
            sends.add(buffersOf(b));
            tracker.send(b);
        }
        assertEquals(first + 6, tracker.nextSendId());
        // One merged entry [first + 1, first + 4] spanning the wrap.
        kernel.queueRaw(ZC, 0, 0, first + 1, first + 4);
        tracker.onErrorQueueReadable();
        assertTrue(allHeld(sends.get(0)));
        for (int i = 1; i <= 4; i++) {
            assertTrue(noneHeld(sends.get(i)), "send " + i);
        }
        assertTrue(allHeld(sends.get(5)));
        assertEquals(2, tracker.outstandingSends());
        kernel.queueRaw(ZC, 0, 0, first + 5, first + 5);
        kernel.queueRaw(ZC, 0, 0, first, first);
        tracker.onErrorQueueReadable();
        assertEquals(0, tracker.outstandingSends());
        assertEquals(6, counters.get(COMPLETED_ZEROCOPY));
        assertEquals(0, counters.get(UNKNOWN_COMPLETION_IDS) + counters.get(DUPLICATE_COMPLETION_IDS)
                + counters.get(INVALID_COMPLETIONS));
    }

    @Test
    void staleUnknownDuplicateAndMalformedEntriesAreCountedAndIgnored() {
        var kernel = new SimulatedZerocopyKernel(100);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 100);
        var sends = new ArrayList<List<PacketBuffer>>();
        for (int i = 0; i < 3; i++) { // ids 100..102
            PacketBatch b = train();
            sends.add(buffersOf(b));
            tracker.send(b);
        }
        kernel.queueRaw(ZC, 0, 0, 101, 101);
        kernel.queueRaw(ZC, 0, 0, 101, 101);      // duplicate
        kernel.queueRaw(ZC, 0, 0, 90, 99);        // before the window: stale
        kernel.queueRaw(ZC, 0, 0, 103, 110);      // never sent
        kernel.queueRaw(ZC, 0, 0, 98, 100);       // straddles the base: 2 unknown + 100
        kernel.queueRaw(ZC, 0, 0, 102, 101);      // reversed: malformed
        kernel.queueRaw(ZC, 12, 0, 102, 102);     // errno set: malformed
        kernel.queueRaw(2, 111, 3, 0, 0);         // ICMP port unreachable: not ours
        tracker.onErrorQueueReadable();
        assertTrue(noneHeld(sends.get(0)));
        assertTrue(noneHeld(sends.get(1)));
        assertTrue(allHeld(sends.get(2)));
        assertEquals(1, counters.get(DUPLICATE_COMPLETION_IDS));
        assertEquals(10 + 8 + 2, counters.get(UNKNOWN_COMPLETION_IDS));
        assertEquals(2, counters.get(INVALID_COMPLETIONS));
        assertEquals(1, counters.get(OTHER_ERROR_QUEUE_ENTRIES));
        assertEquals(1, tracker.outstandingSends());
        kernel.queueRaw(ZC, 0, 0, 102, 102);
        tracker.onErrorQueueReadable();
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void enobufsResendsTheSameBatchByCopyingAndTakesNoId() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        kernel.zerocopyStatuses.add(SendStatus.NO_BUFFERS);
        PacketBatch batch = train();
        var buffers = buffersOf(batch);
        int drainsBefore = kernel.drains;
        assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
        assertEquals(1, kernel.sent.size());
        var sent = kernel.sent.getFirst();
        assertFalse(sent.zerocopy());
        assertEquals(buffers, sent.buffers(), "the same buffers, in order");
        assertEquals((long) TRAIN * SEGMENT, sent.bytes());
        assertTrue(noneHeld(buffers));
        assertEquals(1, counters.get(ENOBUFS_FALLBACK));
        assertTrue(kernel.drains > drainsBefore, "ENOBUFS means pending notifications: read them");
        assertEquals(0, tracker.nextSendId());
        // The next zerocopy send gets id 0, as in the kernel.
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        assertEquals(0, kernel.sent.getLast().id());
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
    }

    @Test
    void wouldBlockLeavesTheBatchWithTheCaller() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        kernel.zerocopyStatuses.add(SendStatus.WOULD_BLOCK);
        PacketBatch batch = train();
        var buffers = buffersOf(batch);
        assertEquals(SendOutcome.WOULD_BLOCK, tracker.send(batch));
        assertEquals(TRAIN, batch.size());
        assertTrue(allHeld(buffers));
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch)); // retry when writable
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
        assertTrue(noneHeld(buffers));
    }

    @Test
    void enobufsThenWouldBlockOnTheCopyLeavesTheBatchWithTheCaller() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        kernel.zerocopyStatuses.add(SendStatus.NO_BUFFERS);
        kernel.copyStatuses.add(SendStatus.WOULD_BLOCK);
        PacketBatch batch = train();
        assertEquals(SendOutcome.WOULD_BLOCK, tracker.send(batch));
        assertEquals(TRAIN, batch.size());
        batch.releaseAll();
    }

    @Test
    void aSendTakenInPartCountsItsUnsentDatagramsOnBothPaths() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        // Zerocopy asked, sent by copy (GSO off) and only 3 of 8 went out.
        kernel.zerocopyStatuses.add(SendStatus.SENT_IN_PART);
        kernel.unsentOnPartial = 5;
        PacketBatch batch = train();
        var buffers = buffersOf(batch);
        assertEquals(SendOutcome.SENT_COPY, tracker.send(batch));
        assertTrue(batch.isEmpty());
        assertTrue(noneHeld(buffers), "a copying send frees the buffers at once");
        assertEquals(5, counters.get(ZerocopyCounter.UNSENT_DATAGRAMS));
        assertEquals(0, tracker.nextSendId(), "no id taken");
        // The copy path (below the threshold), 2 of 4 unsent.
        kernel.copyStatuses.add(SendStatus.SENT_IN_PART);
        kernel.unsentOnPartial = 2;
        assertEquals(SendOutcome.SENT_COPY, tracker.send(batch(4, 1000)));
        assertEquals(7, counters.get(ZerocopyCounter.UNSENT_DATAGRAMS));
        assertEquals(2, counters.get(COPY_SENDS));
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void aTrainFromOneBufferIsOneSendOfItsBytes() {
        MpmcBufferPool large = leakCheck.large(2, counters);
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        var batch = new PacketBatch(4);
        PacketBuffer slot = large.acquire().window(0, 46 * SEGMENT);
        assertTrue(batch.addTrain(slot, SEGMENT));
        PacketBuffer other = large.acquire();
        assertFalse(batch.add(other), "a train is the batch's only buffer");
        assertEquals(SEGMENT, batch.segmentSize());
        assertEquals(46L * SEGMENT, batch.byteCount());
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(batch));
        assertEquals(0, batch.segmentSize(), "cleared with the batch");
        assertTrue(slot.isHeld());
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
        assertFalse(slot.isHeld());
        assertEquals(1, large.inUse(), "the refused add's buffer is still the caller's");
        other.release();
    }

    @Test
    void failedSendsDropTheBatchAndCountIt() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        kernel.zerocopyStatuses.add(SendStatus.FAILED);
        kernel.copyStatuses.add(SendStatus.FAILED);
        kernel.copyStatuses.add(SendStatus.NO_BUFFERS);
        PacketBatch a = train();
        var aBuffers = buffersOf(a);
        assertEquals(SendOutcome.DROPPED, tracker.send(a));
        assertEquals(SendOutcome.DROPPED, tracker.send(batch(1, 100)));
        assertEquals(SendOutcome.DROPPED, tracker.send(batch(1, 100)));
        assertTrue(noneHeld(aBuffers));
        assertEquals(3, counters.get(SEND_FAILED));
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void withoutSoZerocopyEverythingIsCopied() {
        var kernel = new SimulatedZerocopyKernel(0);
        kernel.supportsZerocopy = false;
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        assertFalse(tracker.zerocopyAvailable());
        assertEquals(1, counters.get(UNAVAILABLE));
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train())); // the kernel asserts no MSG_ZEROCOPY
        assertEquals(0, counters.get(ZEROCOPY_SENDS));
    }

    @Test
    void fullWindowFallsBackToCopyingUntilCompletionsArrive() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults().withMaxOutstandingSends(4), 0);
        for (int i = 0; i < 4; i++) {
            assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        }
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train()));
        assertEquals(1, counters.get(WINDOW_FULL_FALLBACK));
        kernel.assertPendingBuffersUntouched();
        kernel.complete(false, 0); // the send itself reads this before giving up
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        assertEquals(4, tracker.outstandingSends());
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
    }

    @Test
    void completionsAreReadOpportunisticallyBeforeSends() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults().withDrainInterval(2), 0);
        PacketBatch first = train();
        var firstBuffers = buffersOf(first);
        tracker.send(first);
        kernel.complete(false, 0);
        tracker.send(train());          // 1st send since the last drain
        assertTrue(allHeld(firstBuffers));
        tracker.send(train());          // 2nd: drains first
        assertTrue(noneHeld(firstBuffers), "released without an EPOLLERR wake-up");
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
    }

    @Test
    void copiedCompletionsBackOffThenReprobeOnTheClockWithDoublingBackoff() {
        var kernel = new SimulatedZerocopyKernel(0);
        var config = ZerocopyConfig.defaults().withBackoff(4, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(3));
        var tracker = tracker(kernel, config, 0);
        // Probe 1: every send copied (loopback behaviour).
        for (int i = 0; i < 4; i++) {
            assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        }
        kernel.completeAll(true);
        tracker.onErrorQueueReadable();
        assertEquals(4, counters.get(COMPLETED_COPIED));
        assertEquals(1, counters.get(BACKOFFS));
        assertFalse(tracker.zerocopyActive());
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train()));
        now += Duration.ofMillis(999).toNanos();
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train()));
        now += Duration.ofMillis(1).toNanos();
        // Probe 2 after 1 s: copied again -> back off for 2 s.
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        assertEquals(1, counters.get(REPROBES));
        for (int i = 0; i < 3; i++) {
            tracker.send(train());
        }
        kernel.completeAll(true);
        tracker.onErrorQueueReadable();
        assertEquals(2, counters.get(BACKOFFS));
        now += Duration.ofMillis(1999).toNanos();
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train()));
        now += Duration.ofMillis(1).toNanos();
        // Probe 3: copied, back-off capped at 3 s (would double to 4).
        for (int i = 0; i < 4; i++) {
            assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        }
        kernel.completeAll(true);
        tracker.onErrorQueueReadable();
        now += Duration.ofMillis(2999).toNanos();
        assertEquals(SendOutcome.SENT_COPY, tracker.send(train()));
        now += Duration.ofMillis(1).toNanos();
        // Probe 4 pays (real zerocopy, e.g. a NIC): no back-off, and the back-off resets to 1 s.
        for (int i = 0; i < 4; i++) {
            assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        }
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
        assertEquals(3, counters.get(BACKOFFS));
        assertTrue(tracker.zerocopyActive());
        // Probe 5 copies again: the back-off is the initial 1 s.
        for (int i = 0; i < 4; i++) {
            tracker.send(train());
        }
        kernel.completeAll(true);
        tracker.onErrorQueueReadable();
        assertEquals(4, counters.get(BACKOFFS));
        now += Duration.ofMillis(1000).toNanos();
        assertEquals(SendOutcome.SENT_ZEROCOPY, tracker.send(train()));
        kernel.completeAll(false);
        tracker.onErrorQueueReadable();
    }

    @Test
    void aMinorityOfCopiedCompletionsKeepsZerocopyOn() {
        var kernel = new SimulatedZerocopyKernel(0);
        var config = ZerocopyConfig.defaults().withBackoff(4, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(8));
        var tracker = tracker(kernel, config, 0);
        for (int i = 0; i < 8; i++) {
            tracker.send(train());
        }
        // Read between completions of different codes, or the kernel would merge them.
        kernel.complete(true, 0, 1);       // 2 of 4 copied: not more than half
        tracker.onErrorQueueReadable();
        kernel.complete(false, 2, 3);
        tracker.onErrorQueueReadable();
        kernel.complete(true, 4);
        tracker.onErrorQueueReadable();
        kernel.complete(false, 5, 6, 7);
        tracker.onErrorQueueReadable();
        assertEquals(0, counters.get(BACKOFFS));
        assertTrue(tracker.zerocopyActive());
    }

    /** Kernel behaviour the ratio inherits: a merged range carries the code of its first part. */
    @Test
    void aMergedRangeCountsWithTheCodeOfItsFirstCompletion() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        for (int i = 0; i < 3; i++) {
            tracker.send(train());
        }
        kernel.complete(true, 0);
        kernel.complete(false, 1, 2);
        assertEquals(1, kernel.errorQueueLength());
        tracker.onErrorQueueReadable();
        assertEquals(3, counters.get(COMPLETED_COPIED));
        assertEquals(0, counters.get(COMPLETED_ZEROCOPY));
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void closeKeepsBuffersTheKernelMayReadAndReleasesThemOnCompletion() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        PacketBatch a = train();
        PacketBatch b = train();
        var aBuffers = buffersOf(a);
        var bBuffers = buffersOf(b);
        tracker.send(a);
        tracker.send(b);
        kernel.complete(false, 0);
        assertEquals(1, tracker.close(), "close reads what is there; send 1 is still in flight");
        assertTrue(noneHeld(aBuffers));
        assertTrue(allHeld(bBuffers));
        PacketBatch late = train();
        var lateBuffers = buffersOf(late);
        assertEquals(SendOutcome.DROPPED, tracker.send(late));
        assertTrue(noneHeld(lateBuffers));
        assertEquals(1, counters.get(SEND_AFTER_CLOSE));
        kernel.complete(false, 1);
        tracker.onErrorQueueReadable();
        assertTrue(noneHeld(bBuffers));
        assertEquals(0, tracker.close());
    }

    @Test
    void afterTheSocketIsClosedOutstandingBuffersWaitForTheGrace() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults().withCloseGrace(Duration.ofSeconds(5)), 0);
        PacketBatch a = train();
        var aBuffers = buffersOf(a);
        tracker.send(a);
        tracker.send(train());
        kernel.complete(false, 1);
        assertEquals(1, tracker.close());
        tracker.socketClosed();
        tracker.tick();
        assertTrue(allHeld(aBuffers), "packets may still sit in a queue pinning these pages");
        now += Duration.ofMillis(4999).toNanos();
        tracker.tick();
        assertTrue(allHeld(aBuffers));
        now += Duration.ofMillis(1).toNanos();
        tracker.tick();
        assertTrue(noneHeld(aBuffers));
        assertEquals(1, counters.get(RELEASED_AFTER_CLOSE));
        assertEquals(0, tracker.outstandingSends());
        tracker.tick();
    }

    @Test
    void zeroGraceReleasesAtSocketClose() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults().withCloseGrace(Duration.ZERO), 0);
        tracker.send(train());
        tracker.socketClosed();
        assertEquals(0, tracker.outstandingSends());
    }

    @Test
    void emptyBatchSendsNothing() {
        var kernel = new SimulatedZerocopyKernel(0);
        var tracker = tracker(kernel, ZerocopyConfig.defaults(), 0);
        assertSame(SendOutcome.SENT_COPY, tracker.send(new PacketBatch(4)));
        assertTrue(kernel.sent.isEmpty());
    }

    /**
     * Random sends of random sizes, random injected failures, completions of random subsets in
     * random order (merged by the kernel where consecutive), random drains, starting just below
     * the wrap: after every step no buffer the kernel may read was released, the tracker's
     * outstanding count equals the kernel's, and every buffer is accounted for.
     */
    @Test
    void randomizedAgainstTheSimulatedKernel() {
        var random = new SplittableRandom(42);
        for (int round = 0; round < 20; round++) {
            int first = -random.nextInt(1, 2000);
            var kernel = new SimulatedZerocopyKernel(first);
            var config = ZerocopyConfig.defaults().withMaxOutstandingSends(32)
                    .withBackoff(16, 0.5, Duration.ofMillis(10), Duration.ofMillis(40));
            var tracker = tracker(kernel, config, first);
            for (int step = 0; step < 2000; step++) {
                int action = random.nextInt(100);
                if (action < 45) {
                    int n = random.nextInt(1, 12);
                    if (pool.capacity() - pool.inUse() < n) {
                        continue;
                    }
                    PacketBatch b = batch(n, random.nextInt(100, 1500));
                    int r = random.nextInt(20);
                    if (r == 0) {
                        kernel.zerocopyStatuses.add(SendStatus.NO_BUFFERS);
                    } else if (r == 1) {
                        kernel.copyStatuses.add(SendStatus.WOULD_BLOCK);
                    }
                    SendOutcome outcome = tracker.send(b);
                    kernel.zerocopyStatuses.clear();
                    kernel.copyStatuses.clear();
                    if (outcome == SendOutcome.WOULD_BLOCK) {
                        b.releaseAll(); // the caller gives up on it
                    }
                    assertTrue(b.isEmpty());
                } else if (action < 75) {
                    int[] ids = kernel.pendingIds();
                    if (ids.length > 0) {
                        // complete a random subset, shuffled, copied or not
                        var chosen = new ArrayList<Integer>();
                        for (int id : ids) {
                            if (random.nextInt(3) == 0) {
                                chosen.add(id);
                            }
                        }
                        for (int i = chosen.size() - 1; i > 0; i--) {
                            int j = random.nextInt(i + 1);
                            var t = chosen.get(i);
                            chosen.set(i, chosen.get(j));
                            chosen.set(j, t);
                        }
                        if (random.nextBoolean()) {
                            chosen.sort(Integer::compareUnsigned); // consecutive ones merge
                        }
                        kernel.complete(random.nextInt(4) == 0,
                                chosen.stream().mapToInt(Integer::intValue).toArray());
                    }
                } else if (action < 90) {
                    tracker.onErrorQueueReadable();
                } else {
                    now += Duration.ofMillis(random.nextInt(1, 20)).toNanos();
                }
                kernel.assertPendingBuffersUntouched();
                if (kernel.errorQueueLength() == 0) {
                    assertEquals(kernel.pendingSends(), tracker.outstandingSends());
                }
                assertEquals(kernel.nextId(), tracker.nextSendId());
            }
            kernel.completeAll(random.nextBoolean());
            tracker.onErrorQueueReadable();
            assertEquals(0, tracker.outstandingSends());
            assertEquals(0, pool.inUse(), "round " + round);
            assertEquals(0, counters.get(UNKNOWN_COMPLETION_IDS) + counters.get(DUPLICATE_COMPLETION_IDS)
                    + counters.get(INVALID_COMPLETIONS));
        }
        assertTrue(counters.get(ZEROCOPY_SENDS) > 1000, "the run exercised zerocopy");
        assertTrue(counters.get(ENOBUFS_FALLBACK) > 0);
    }
}
