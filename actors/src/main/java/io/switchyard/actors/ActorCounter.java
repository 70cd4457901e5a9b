package io.switchyard.actors;

import io.switchyard.counters.CounterDescriptor;

/**
 * The counters of an {@link ActorSystem}, read with {@link ActorSystem#counter}. Ids and labels are
 * stable: metrics exporters may key on them.
 */
public enum ActorCounter implements CounterDescriptor {
    DEAD_LETTERS(1, "dead_letters", "Messages that reached no actor: told to a stopped actor, or left queued when it stopped."),
    MAILBOX_OVERFLOW_DROPS(2, "mailbox_overflow_drops", "Messages dropped by a full bounded mailbox with DROP_NEWEST."),
    MAILBOX_REFUSED(3, "mailbox_refused", "Messages refused to the caller by a full bounded mailbox with REFUSE."),
    ACTOR_FAILURES(4, "actor_failures", "Exceptions thrown by actor code (receive or a hook) and handed to supervision."),
    RESTARTS(5, "restarts", "Actor restarts by supervision."),
    SUPERVISION_STOPS(6, "supervision_stops", "Actors stopped by supervision (STOP directive or restart budget exhausted)."),
    ESCALATIONS(7, "escalations", "Failures escalated to a parent (or, for a top-level actor, to the system, which stops it)."),
    ASK_TIMEOUTS(8, "ask_timeouts", "Asks completed with a timeout."),
    TIMERS_FIRED(9, "timers_fired", "Timer expirations (each periodic firing counts once)."),
    ACTIVATIONS(10, "activations", "Activations started (virtual-thread starts plus dedicated-thread wake-ups)."),
    YIELDS(11, "yields", "Activations that ended early to let other actors run (budget used up, work left).");

    private final int id;
    private final String label;
    private final String description;

    ActorCounter(int id, String label, String description) {
        this.id = id;
        this.label = label;
        this.description = description;
    }

    /** Stable numeric id. */
    @Override
    public int id() {
        return id;
    }

    /** Stable snake_case label. */
    public String label() {
        return label;
    }

    @Override
    public String metricName() {
        return label;
    }

    @Override
    public String description() {
        return description;
    }
}
