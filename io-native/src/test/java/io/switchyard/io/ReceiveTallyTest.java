package io.switchyard.io;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A receive call's tally: only the control messages the socket turned on, and one counter update per call. */
class ReceiveTallyTest {
    private final Arena arena = Arena.ofConfined();
    private final IoCounters counters = new IoCounters();

    @AfterEach
    void close() {
        arena.close();
    }

    private RecvBatch batch(int slots) {
        RecvBatch b = new RecvBatch(slots, RecvBatch.GRO_SLOT_SIZE);
        b.clear();
        return b;
    }
    /** A control area with SO_RXQ_OVFL = drops and UDP_GRO = segment, written with the ABI's offsets. */
    private MemorySegment control(int drops, int segment) {
        MemorySegment c = arena.allocate(48, 8);
        c.set(JAVA_LONG, 0, 20L);
        c.set(JAVA_INT, 8, Linux.SOL_SOCKET);
        c.set(JAVA_INT, 12, Linux.SO_RXQ_OVFL);
        c.set(JAVA_INT, 16, drops);
        c.set(JAVA_LONG, 24, 20L);
        c.set(JAVA_INT, 32, Linux.SOL_UDP);
        c.set(JAVA_INT, 36, Linux.UDP_GRO);
        c.set(JAVA_INT, 40, segment);
        return c;
    }

    @Test
    void aCallIsCountedOnceWithWhatItsSlotsHeld() {
        try (RecvBatch b = batch(4)) {
            ReceiveTally t = new ReceiveTally(true, true);
            t.start();
            t.add(b, 0, 0, 3000, t.control(control(5, 1000), 0, 48));
            t.add(b, 1, 0, 700, t.control(control(9, 0), 0, 48));
            t.truncated++;
            t.finish(b, counters);
            assertEquals(4, b.count());
            assertEquals(1, b.truncated());
            assertEquals(1, counters.get(IoCounter.RECEIVE_CALLS));
            assertEquals(4, counters.get(IoCounter.DATAGRAMS_RECEIVED));
            assertEquals(1, counters.get(IoCounter.GRO_COALESCED));
            assertEquals(3, counters.get(IoCounter.GRO_SEGMENTS));
            assertEquals(1, counters.get(IoCounter.TRUNCATED));
            assertEquals(9, counters.get(IoCounter.KERNEL_DROPS), "the latest cumulative count");

            b.clear();
            t.start();
            t.finish(b, counters);
            assertEquals(1, counters.get(IoCounter.RECEIVE_CALLS), "a call that returned nothing is not a receive call");
            assertEquals(0, b.truncated(), "start() began a new tally");
        }
    }

    @Test
    void onlyWhatTheSocketTurnedOnIsRead() {
        try (RecvBatch b = batch(1)) {
            ReceiveTally t = new ReceiveTally(false, false);
            t.start();
            int segment = t.control(control(5, 1000), 0, 48);
            assertEquals(0, segment, "GRO is off: a stray UDP_GRO cmsg does not split the slot");
            t.add(b, 0, 0, 3000, segment);
            t.finish(b, counters);
            assertEquals(1, b.count());
            assertEquals(0, counters.get(IoCounter.KERNEL_DROPS));
        }
    }
}
