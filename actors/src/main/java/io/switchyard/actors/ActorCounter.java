package io.switchyard.actors;

/**
 * The counters of an {@link ActorSystem}, read with {@link ActorSystem#counter}. Ids and labels are
 * stable: metrics exporters may key on them.
 */
public enum ActorCounter {
    /** Messages that reached no actor: told to a stopped actor, or left queued when it stopped. */
    DEAD_LETTERS(1, "dead_letters"),
    /** Messages dropped by a full bounded mailbox with {@link Overflow#DROP_NEWEST}. */
    MAILBOX_OVERFLOW_DROPS(2, "mailbox_overflow_drops"),
    /** Messages refused to the caller by a full bounded mailbox with {@link Overflow#REFUSE}. */
    MAILBOX_REFUSED(3, "mailbox_refused"),
    /** Exceptions thrown by actor code (receive or a hook) and handed to supervision. */
    ACTOR_FAILURES(4, "actor_failures"),
    /** Actor restarts by supervision. */
    RESTARTS(5, "restarts"),
    /** Actors stopped by supervision (STOP directive or restart budget exhausted). */
    SUPERVISION_STOPS(6, "supervision_stops"),
    /** Failures escalated to a parent (or, for a top-level actor, to the system, which stops it). */
    ESCALATIONS(7, "escalations"),
    /** Asks completed with a timeout. */
    ASK_TIMEOUTS(8, "ask_timeouts"),
    /** Timer expirations (each periodic firing counts once). */
    TIMERS_FIRED(9, "timers_fired"),
    /** Activations started (virtual-thread starts plus dedicated-thread wake-ups). */
    ACTIVATIONS(10, "activations"),
    /** Activations that ended early to let other actors run (budget used up, work left). */
    YIELDS(11, "yields");

    private final int id;
    private final String label;

    ActorCounter(int id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Stable numeric id. */
    public int id() {
        return id;
    }

    /** Stable snake_case label. */
    public String label() {
        return label;
    }
}
