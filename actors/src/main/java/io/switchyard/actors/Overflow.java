package io.switchyard.actors;

/** What a bounded mailbox does with a message that does not fit. */
public enum Overflow {
    /** Drop the message being offered and count it under {@link ActorCounter#MAILBOX_OVERFLOW_DROPS}. */
    DROP_NEWEST,
    /**
     * Refuse it: {@link ActorRef#tell} returns false so the caller keeps the message (and, for
     * pooled buffers, its ownership); counted under {@link ActorCounter#MAILBOX_REFUSED}.
     */
    REFUSE
}
