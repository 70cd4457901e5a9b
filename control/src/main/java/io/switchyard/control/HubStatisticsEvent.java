package io.switchyard.control;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * JFR periodic event: a hub's totals, every 10 s by default (the {@code period} setting changes
 * it), so a recording holds the hub's traffic, handshakes and drops over time next to the JVM's
 * own events. Emitted by {@link HubControl} for as long as it is open, one event per hub; the
 * data path is not involved (it reads the same cheap snapshot as the metrics endpoint).
 */
@Name("io.switchyard.HubStatistics")
@Label("Hub Statistics")
@Category({"Switchyard", "Control"})
@Description("A hub's traffic, handshake and drop totals since start")
@StackTrace(false)
@Period("10 s")
public final class HubStatisticsEvent extends Event {
    @Label("Interface")
    public String iface;

    @Label("Peers")
    public int peers;

    @Label("Received Packets")
    public long rxPackets;

    @Label("Received Bytes")
    @DataAmount
    public long rxBytes;

    @Label("Sent Packets")
    public long txPackets;

    @Label("Sent Bytes")
    @DataAmount
    public long txBytes;

    @Label("Handshakes Completed")
    public long handshakesCompleted;

    @Label("Cookie Replies Sent")
    public long cookieRepliesSent;

    @Label("Dropped")
    @Description("Packets dropped, all reasons")
    public long dropped;
}
