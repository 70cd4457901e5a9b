package io.switchyard.router.hub;

import jdk.jfr.EventType;

/**
 * The event types of the data-path JFR events, looked up once. {@link EventType#isEnabled()} is a
 * field read, so the static {@code commit} helpers test it before creating the event object.
 * Relying on the JIT's escape analysis to remove that object is not enough: once a recording has
 * enabled the event and {@code commit()} has run, the profile keeps that path alive and every
 * call allocates (about 52 bytes, measured with {@code JfrEventsTest}).
 */
final class EventGates {
    static final EventType RECEIVE_BATCH = EventType.getEventType(ReceiveBatchEvent.class);
    static final EventType FLUSH = EventType.getEventType(FlushEvent.class);
    static final EventType HANDSHAKE = EventType.getEventType(HandshakeEvent.class);

    private EventGates() {}
}
