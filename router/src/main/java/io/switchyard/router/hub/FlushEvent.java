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
 * JFR event: a peer actor flushing its outbound train when its mailbox drained (one GSO send,
 * one {@code sendmmsg}, or a run of plain sends). Off by default (one per flush); its duration
 * is the send itself when the caller uses {@code begin()}/{@code end()}:
 * <pre>{@code
 * FlushEvent e = FlushEvent.enabled() ? new FlushEvent() : null; // no allocation while off
 * if (e != null) e.begin();
 * ... send ...
 * if (e != null) { e.end(); if (e.shouldCommit()) { e.peer = peerLabel; e.datagrams = n; ...; e.commit(); } }
 * }</pre>
 * or, without timing, {@link #commit(String, int, long, int, boolean)}.
 */
@Name("io.switchyard.Flush")
@Label("Flush")
@Category({"Switchyard", "Data Path"})
@Description("An outbound train sent when a peer's mailbox drained")
@StackTrace(false)
@Enabled(false)
public final class FlushEvent extends Event {
    @Label("Peer")
    @Description("The destination peer's public key (base64)")
    public String peer;

    @Label("Datagrams")
    public int datagrams;

    @Label("Bytes")
    @DataAmount
    public long bytes;

    @Label("GSO Trains")
    @Description("Send calls carrying a UDP_SEGMENT train (0 if GSO was not used)")
    public int gsoTrains;

    @Label("Zero Copy")
    @Description("Whether the send used MSG_ZEROCOPY")
    public boolean zeroCopy;

    /** Records a flush, without duration, if the event is enabled. */
    public static void commit(String peer, int datagrams, long bytes, int gsoTrains, boolean zeroCopy) {
        if (!EventGates.FLUSH.isEnabled()) {
            return; // before the allocation: escape analysis alone is not enough once commit ran
        }
        FlushEvent e = new FlushEvent();
        if (e.shouldCommit()) {
            e.peer = peer;
            e.datagrams = datagrams;
            e.bytes = bytes;
            e.gsoTrains = gsoTrains;
            e.zeroCopy = zeroCopy;
            e.commit();
        }
    }

    /** True if a recording has this event on: a field read, for guarding timed use before {@code new}. */
    public static boolean enabled() {
        return EventGates.FLUSH.isEnabled();
    }
}
