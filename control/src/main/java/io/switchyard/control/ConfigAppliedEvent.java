package io.switchyard.control;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a configuration change through the control plane ({@code wg set}/{@code syncconf}
 * or {@code switchyard reload}), timed over the hub's apply, with the size of the change or the
 * error. Committed by {@link ControlServer}.
 */
@Name("io.switchyard.ConfigApplied")
@Label("Configuration Applied")
@Category({"Switchyard", "Control"})
@Description("A configuration change applied (or refused) through the control plane")
@StackTrace(false)
public final class ConfigAppliedEvent extends Event {
    @Label("Source")
    @Description("uapi-set or reload")
    public String source;

    @Label("Peers Added")
    public int added;

    @Label("Peers Removed")
    public int removed;

    @Label("Peers Changed")
    public int changed;

    @Label("Errno")
    @Description("0 if applied, else the positive errno of the refusal")
    public int errno;

    @Label("Error")
    public String error;
}
