package io.switchyard.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.io.linux.Linux;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control-message reader and writer against hand-built control buffers. The buffers are
 * written here with the x86_64 ABI's numbers (design.md, "Syscall facts": cmsg_len@0 as a
 * size_t, level@8, type@12, data@16, CMSG_ALIGN 8), not through LinuxStructs, so the reader is
 * checked against the ABI rather than against itself.
 */
class ControlMessagesTest {
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void close() {
        arena.close();
    }

    /** Writes one cmsg at {@code at} with {@code payload} bytes; returns where the next one starts (CMSG_SPACE). */
    private static long cmsg(MemorySegment buf, long at, int level, int type, byte[] payload) {
        buf.set(JAVA_LONG, at, 16L + payload.length);
        buf.set(JAVA_INT, at + 8, level);
        buf.set(JAVA_INT, at + 12, type);
        MemorySegment.copy(payload, 0, buf, JAVA_BYTE, at + 16, payload.length);
        return at + 16 + ((payload.length + 7) & -8);
    }

    private static byte[] intPayload(int v) {
        MemorySegment s = MemorySegment.ofArray(new byte[4]);
        s.set(JAVA_INT_UNALIGNED, 0, v);
        return s.toArray(JAVA_BYTE);
    }

    /** A sock_extended_err: errno@0, origin@4, type@5, code@6, info@8, data@12. */
    private static byte[] extendedErr(int errno, int origin, int code, int info, int data) {
        MemorySegment s = MemorySegment.ofArray(new byte[16]);
        s.set(JAVA_INT_UNALIGNED, 0, errno);
        s.set(JAVA_BYTE, 4, (byte) origin);
        s.set(JAVA_BYTE, 6, (byte) code);
        s.set(JAVA_INT_UNALIGNED, 8, info);
        s.set(JAVA_INT_UNALIGNED, 12, data);
        return s.toArray(JAVA_BYTE);
    }

    @Test
    void groSegmentAndDropCountAreFoundInEitherOrderAtTheSlotsOffset() {
        MemorySegment controls = arena.allocate(256, 8);
        long slot = 64; // the second slot of a batch's control area
        long end = cmsg(controls, slot, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, intPayload(7));
        end = cmsg(controls, end, Linux.SOL_UDP, Linux.UDP_GRO, intPayload(1200));
        long len = end - slot;
        assertEquals(1200, ControlMessages.groSegment(controls, slot, len));
        assertEquals(7, ControlMessages.rxqOverflow(controls, slot, len));

        end = cmsg(controls, slot, Linux.SOL_UDP, Linux.UDP_GRO, intPayload(1400));
        end = cmsg(controls, end, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, intPayload(-1));
        assertEquals(1400, ControlMessages.groSegment(controls, slot, end - slot));
        assertEquals(0xffff_ffffL, ControlMessages.rxqOverflow(controls, slot, end - slot), "the count is a u32");
    }

    @Test
    void absentMessagesReadAsNotCoalescedAndNoDropCount() {
        MemorySegment controls = arena.allocate(64, 8);
        assertEquals(0, ControlMessages.groSegment(controls, 0, 0));
        assertEquals(-1, ControlMessages.rxqOverflow(controls, 0, 0));
        long end = cmsg(controls, 0, Linux.SOL_IP, Linux.IP_RECVERR, new byte[16]);
        assertEquals(0, ControlMessages.groSegment(controls, 0, end));
        assertEquals(-1, ControlMessages.rxqOverflow(controls, 0, end));
    }

    @Test
    void aWalkStopsAtAMessageThatDoesNotFit() {
        MemorySegment controls = arena.allocate(128, 8);
        long end = cmsg(controls, 0, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, intPayload(3));
        long afterGro = cmsg(controls, end, Linux.SOL_UDP, Linux.UDP_GRO, intPayload(1000));
        assertEquals(1000, ControlMessages.groSegment(controls, 0, end + 20), "cmsg_len 20 fits, padding or not");
        // MSG_CTRUNC: the kernel reported less than the second message's cmsg_len.
        assertEquals(0, ControlMessages.groSegment(controls, 0, end + 19));
        assertEquals(3, ControlMessages.rxqOverflow(controls, 0, end + 19));
        // A header shorter than cmsghdr ends the walk instead of looping on it.
        controls.set(JAVA_LONG, 0, 8L);
        assertEquals(0, ControlMessages.groSegment(controls, 0, afterGro));
        assertEquals(-1, ControlMessages.rxqOverflow(controls, 0, afterGro));
    }

    record Rec(int origin, int errno, int code, int info, int data) {}

    @Test
    void extendedErrorsOfBothFamiliesAreReportedAndZerocopyOnesCounted() {
        MemorySegment control = arena.allocate(256, 8);
        long end = cmsg(control, 0, Linux.SOL_IP, Linux.IP_RECVERR,
                extendedErr(0, Linux.SO_EE_ORIGIN_ZEROCOPY, Linux.SO_EE_CODE_ZEROCOPY_COPIED, 3, 9));
        end = cmsg(control, end, Linux.SOL_UDP, Linux.UDP_GRO, intPayload(1)); // not an error record
        end = cmsg(control, end, Linux.SOL_IPV6, Linux.IPV6_RECVERR, extendedErr(111, 2, 4, -1, 0x8000_0000));
        List<Rec> got = new ArrayList<>();
        IoCounters counters = new IoCounters();
        int n = ControlMessages.extendedErrors(control, end,
                (origin, errno, code, info, data) -> got.add(new Rec(origin, errno, code, info, data)), counters);
        assertEquals(2, n);
        assertEquals(List.of(new Rec(Linux.SO_EE_ORIGIN_ZEROCOPY, 0, Linux.SO_EE_CODE_ZEROCOPY_COPIED, 3, 9),
                new Rec(2, 111, 4, -1, 0x8000_0000)), got);
        assertEquals(1, counters.get(IoCounter.ZEROCOPY_COMPLETIONS), "only the zerocopy origin is a completion");
        assertEquals(0, ControlMessages.extendedErrors(control, 0, (o, e, c, i, d) -> got.add(null), counters));
    }

    @Test
    void theUdpSegmentMessageHasTheAbiBytes() {
        MemorySegment control = arena.allocate(24, 8);
        control.fill((byte) 0x55);
        ControlMessages.initUdpSegment(control);
        ControlMessages.udpSegment(control, 1452);
        assertEquals(18L, control.get(JAVA_LONG, 0), "cmsg_len = CMSG_LEN(2)");
        assertEquals(Linux.SOL_UDP, control.get(JAVA_INT, 8));
        assertEquals(Linux.UDP_SEGMENT, control.get(JAVA_INT, 12));
        assertEquals(1452, control.get(JAVA_SHORT, 16));
        ControlMessages.udpSegment(control, 65_000);
        assertEquals(65_000, Short.toUnsignedInt(control.get(JAVA_SHORT, 16)), "a u16, not a signed short");
    }

    @Test
    void aCoalescedSlotIsSplitBySegmentSizeWithAShortLastOne() {
        try (RecvBatch b = new RecvBatch(2, RecvBatch.GRO_SLOT_SIZE)) {
            b.clear();
            assertEquals(0, b.addReceived(0, 0, 900, 0), "no GRO cmsg: one datagram");
            assertEquals(0, b.addReceived(0, 0, 900, 900), "one segment is not a train");
            assertEquals(3, b.addReceived(1, 48, 2500, 1000));
            assertEquals(5, b.count());
            int[][] expected = {{0, 0, 900}, {0, 0, 900}, {1, 48, 1000}, {1, 1048, 1000}, {1, 2048, 500}};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i][0], b.slot(i), "slot of " + i);
                assertEquals(expected[i][1], b.offset(i), "offset of " + i);
                assertEquals(expected[i][2], b.length(i), "length of " + i);
            }
        }
    }
}
