package io.switchyard.router.hub;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: one receive call of the data path ({@code recvmmsg}, a GRO slot, an NIO receive)
 * and what it returned. Off by default (it can fire hundreds of thousands of times a second);
 * enable {@code io.switchyard.ReceiveBatch} in a recording to see batch occupancy over time.
 *
 * <p>Use from the receive loop; while the event is disabled this is a field read and allocates
 * nothing (see {@link EventGates} for why it does not rely on escape analysis):
 * <pre>{@code
 * ReceiveBatchEvent.commit(socketId, datagrams, bytes, segments);
 * }</pre>
 */
@Name("io.switchyard.ReceiveBatch")
@Label("Receive Batch")
@Category({"Switchyard", "Data Path"})
@Description("Datagrams returned by one receive call")
@StackTrace(false)
@Enabled(false)
public final class ReceiveBatchEvent extends Event {
    @Label("Socket")
    @Description("Which receive socket (router thread index)")
    public int socket;

    @Label("Datagrams")
    public int datagrams;

    @Label("Bytes")
    @DataAmount
    public long bytes;

    @Label("GRO Segments")
    @Description("Datagrams that arrived coalesced by UDP GRO (0 without GRO)")
    public int groSegments;

    /** Records one receive call if the event is enabled; otherwise does nothing. */
    public static void commit(int socket, int datagrams, long bytes, int groSegments) {
        if (!EventGates.RECEIVE_BATCH.isEnabled()) {
            return; // before the allocation: escape analysis alone is not enough once commit ran
        }
        ReceiveBatchEvent e = new ReceiveBatchEvent();
        if (e.shouldCommit()) {
            e.socket = socket;
            e.datagrams = datagrams;
            e.bytes = bytes;
            e.groSegments = groSegments;
            e.commit();
        }
    }

    /** True if a recording has this event on: a field read, for guarding timed use before {@code new}. */
    public static boolean enabled() {
        return EventGates.RECEIVE_BATCH.isEnabled();
    }
}
