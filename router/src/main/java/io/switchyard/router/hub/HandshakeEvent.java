package io.switchyard.router.hub;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a handshake message handled by a handshake worker, with what came of it. On by
 * default: handshakes are rare (at most 20 per second per source after rate limiting), and a
 * stuck peer is the first thing an operator looks for. Time it around the crypto:
 * <pre>{@code
 * HandshakeEvent e = new HandshakeEvent(); // handshakes are rare: the allocation does not matter
 * e.begin();
 * ... process ...
 * e.end();
 * if (e.shouldCommit()) { e.peer = ...; e.message = "initiation"; e.outcome = "completed"; e.commit(); }
 * }</pre>
 */
@Name("io.switchyard.Handshake")
@Label("Handshake")
@Category({"Switchyard", "Handshake"})
@Description("A handshake message processed, and its outcome")
@StackTrace(false)
public final class HandshakeEvent extends Event {
    @Label("Peer")
    @Description("The peer's public key (base64), empty if it was not identified")
    public String peer;

    @Label("Message")
    @Description("initiation, response or cookie-reply; sent or received as said by Direction")
    public String message;

    @Label("Direction")
    @Description("received or sent")
    public String direction;

    @Label("Source")
    @Description("The UDP source address and port")
    public String source;

    @Label("Outcome")
    @Description("completed, answered, cookie-sent, rate-limited, rejected (with Reason)")
    public String outcome;

    @Label("Reason")
    @Description("Why it was rejected, e.g. bad-mac1, stale-timestamp, unknown-peer")
    public String reason;

    /** Records a handshake outcome, without duration, if the event is enabled. */
    public static void commit(String peer, String message, String direction, String source, String outcome, String reason) {
        if (!EventGates.HANDSHAKE.isEnabled()) {
            return; // before the allocation: escape analysis alone is not enough once commit ran
        }
        HandshakeEvent e = new HandshakeEvent();
        if (e.shouldCommit()) {
            e.peer = peer;
            e.message = message;
            e.direction = direction;
            e.source = source;
            e.outcome = outcome;
            e.reason = reason;
            e.commit();
        }
    }

    /** True if a recording has this event on: a field read, for guarding timed use before {@code new}. */
    public static boolean enabled() {
        return EventGates.HANDSHAKE.isEnabled();
    }
}
