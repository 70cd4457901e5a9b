package io.switchyard.wireguard.timers;

import io.switchyard.wireguard.WireGuard;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The five WireGuard timers of one peer and the "should we start a handshake" rules, as a pure,
 * single-threaded state machine: no threads, no clock of its own, no I/O. The peer actor feeds it
 * events with the current time and performs the actions it returns; it schedules one timer message
 * for {@link #nextDeadline()} and calls {@link #advance(long)} when that message arrives (early or
 * late is fine: advance fires whatever is due at the time it is given).
 *
 * <h2>Time</h2>
 * Times are nanoseconds on any monotonic clock the caller chooses ({@link System#nanoTime()} in
 * production, a plain counter in tests), compared by subtraction so a wrapping clock is fine.
 * Jitter comes from the injected {@link RandomGenerator}.
 *
 * <h2>Actions</h2>
 * Methods that can ask for something return a bit set of {@link #SEND_HANDSHAKE_INITIATION},
 * {@link #SEND_KEEPALIVE}, {@link #ZERO_KEY_MATERIAL}, {@link #DROP_STAGED_PACKETS} and
 * {@link #CLEAR_ENDPOINT_SOURCE} (0 for nothing), so nothing is allocated per event. When the set
 * contains {@code SEND_HANDSHAKE_INITIATION} the actor creates and sends an initiation and then
 * reports {@link #handshakeInitiated(long)}; if it could not create one it reports nothing, and
 * no retransmission is scheduled (as in the kernel).
 *
 * <h2>The timers (the Linux kernel's timers.c; wireguard-go's timers.go is the same)</h2>
 * <ul>
 *   <li><b>retransmit-handshake</b>, armed {@code REKEY_TIMEOUT + jitter} after each initiation
 *       sent, but never later than {@code REKEY_ATTEMPT_TIME} (90 s) after the first initiation
 *       of the attempt. On expiry, if REKEY_ATTEMPT_TIME has passed since that first initiation,
 *       give up: drop staged packets, cancel the keepalive, and zero key material
 *       {@code 3 * REJECT_AFTER_TIME} later unless that is already scheduled. Otherwise send one
 *       more initiation. So every initiation of an attempt goes out before 90 s and the give-up
 *       comes at 90 s exactly: with the jitter, 17 or 18 initiations ({@code ceil(90 s / (5 s +
 *       jitter))}).
 *       <br>Why not the kernel's count: the kernel and wireguard-go give up after
 *       {@code MaxTimerHandshakes = REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18} retries, checked as
 *       {@code attempts > 18}, i.e. 20 initiations, the last at about 95-101 s and the give-up at
 *       100-107 s. The whitepaper's timer rules and issue 5 say the attempt stops after
 *       REKEY_ATTEMPT_TIME; a rule on elapsed time says that directly and does not drift with
 *       the jitter. As in the kernel, a fresh request for a handshake (staged packets, a rekey
 *       due, an operator) starts a new attempt, and so a new 90 s budget, from its first
 *       initiation; only the timer's own retries stay inside the running budget.
 *   <li><b>send-keepalive</b>, armed {@code KEEPALIVE_TIMEOUT} after data was received, unless
 *       already armed (then one more keepalive is owed after it fires); cancelled by any
 *       authenticated packet sent. Expiry sends a keepalive.
 *   <li><b>new-handshake</b>, armed {@code KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter} after data
 *       was sent, unless already armed; cancelled by any authenticated packet received. Expiry
 *       starts a fresh handshake: the peer stopped answering.
 *   <li><b>zero-key-material</b>, armed {@code 3 * REJECT_AFTER_TIME} after every session
 *       derivation. Expiry zeroes every key and the handshake state.
 *   <li><b>persistent-keepalive</b>, re-armed at every authenticated packet sent or received
 *       when an interval is set; expiry sends a keepalive.
 * </ul>
 * A new initiation is never sent within {@code REKEY_TIMEOUT} of the previous one.
 *
 * <h2>Key freshness</h2>
 * {@link #keepKeyFreshSending} (after sending on the current session) asks for a handshake when
 * more than {@code REKEY_AFTER_MESSAGES} were sent or, if we were the initiator, the session is
 * {@code REKEY_AFTER_TIME} old. {@link #keepKeyFreshReceiving} (after receiving data) asks once,
 * if we were the initiator and the session is {@code REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT -
 * REKEY_TIMEOUT} (165 s) old, so that a peer that only receives still rekeys before the keys die
 * at {@code REJECT_AFTER_TIME}; see {@link #canSend} and {@link #canReceive}.
 */
public final class PeerTimers {
    /** Create and send a handshake initiation, then report {@link #handshakeInitiated(long)}. */
    public static final int SEND_HANDSHAKE_INITIATION = 1;
    /**
     * Send an empty data packet (stage one if nothing is staged and send staged packets; with no
     * usable session that becomes a handshake request via {@link #handshakeWanted(long)}).
     */
    public static final int SEND_KEEPALIVE = 1 << 1;
    /** Zero every session's keys and the handshake state; the sessions are gone. */
    public static final int ZERO_KEY_MATERIAL = 1 << 2;
    /** The handshake was given up: drop the packets staged waiting for a session. */
    public static final int DROP_STAGED_PACKETS = 1 << 3;
    /** Forget the cached local source address of the endpoint; it may be why nobody answers. */
    public static final int CLEAR_ENDPOINT_SOURCE = 1 << 4;

    private static final long REKEY_ATTEMPT_TIME = WireGuard.REKEY_ATTEMPT_TIME.toNanos();
    private static final long REKEY_TIMEOUT = WireGuard.REKEY_TIMEOUT.toNanos();
    private static final long KEEPALIVE_TIMEOUT = WireGuard.KEEPALIVE_TIMEOUT.toNanos();
    private static final long REKEY_AFTER_TIME = WireGuard.REKEY_AFTER_TIME.toNanos();
    private static final long REJECT_AFTER_TIME = WireGuard.REJECT_AFTER_TIME.toNanos();
    private static final long ZERO_KEYS_AFTER = 3 * REJECT_AFTER_TIME;
    /** REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT: 165 s. */
    private static final long LAST_MINUTE_REKEY = REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
    /** Jitter is drawn uniformly from [0, this] nanoseconds. */
    private static final long JITTER_BOUND = WireGuard.REKEY_TIMEOUT_JITTER_MAX.toNanos() + 1;

    // Timer ids, also bit positions in `armed`.
    private static final int RETRANSMIT_HANDSHAKE = 0;
    private static final int SEND_KEEPALIVE_TIMER = 1;
    private static final int NEW_HANDSHAKE = 2;
    private static final int ZERO_KEYS = 3;
    private static final int PERSISTENT_KEEPALIVE = 4;
    private static final int TIMERS = 5;

    private final RandomGenerator random;
    private final long[] deadline = new long[TIMERS];
    private int armed;

    private int handshakeAttempts;
    /** An attempt is running: its first initiation went out at {@link #attemptStarted}. */
    private boolean attemptOpen;
    private long attemptStarted;
    private boolean needAnotherKeepalive;
    private boolean sentLastMinuteHandshake;
    private boolean initiationEverSent;
    private long lastInitiationSent;
    private long persistentKeepaliveInterval;

    /** Timers for one peer, all idle, drawing jitter from {@code random}. */
    public PeerTimers(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    // ------------------------------------------------------------------ events

    /** An authenticated packet carrying data (not a keepalive) was sent. */
    public void dataSent(long now) {
        if (!isArmed(NEW_HANDSHAKE)) {
            arm(NEW_HANDSHAKE, now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter());
        }
    }

    /** An authenticated packet carrying data (not a keepalive) was received. */
    public void dataReceived(long now) {
        if (!isArmed(SEND_KEEPALIVE_TIMER)) {
            arm(SEND_KEEPALIVE_TIMER, now + KEEPALIVE_TIMEOUT);
        } else {
            needAnotherKeepalive = true;
        }
    }

    /**
     * Any authenticated packet (data, keepalive, handshake message) is being sent. Covers the
     * kernel's "any authenticated packet sent" and "traversal" hooks.
     */
    public void authenticatedPacketSent(long now) {
        traversal(now);
        disarm(SEND_KEEPALIVE_TIMER);
    }

    /** Any authenticated packet (data, keepalive, handshake message) was received. */
    public void authenticatedPacketReceived(long now) {
        traversal(now);
        disarm(NEW_HANDSHAKE);
    }

    /**
     * A handshake initiation was sent (whether asked for by this machine or not). Counts as an
     * authenticated packet sent and arms the retransmission.
     */
    public void handshakeInitiated(long now) {
        initiationEverSent = true;
        lastInitiationSent = now;
        if (!attemptOpen) {
            attemptOpen = true;
            attemptStarted = now;
        }
        authenticatedPacketSent(now);
        long retry = now + REKEY_TIMEOUT + jitter();
        long giveUp = attemptStarted + REKEY_ATTEMPT_TIME;
        arm(RETRANSMIT_HANDSHAKE, retry - giveUp < 0 ? retry : giveUp);
    }

    /**
     * A handshake completed: a response was received and processed (initiator), or the first
     * data message arrived on a session we responded to (key confirmation).
     */
    public void handshakeComplete(long now) {
        disarm(RETRANSMIT_HANDSHAKE);
        handshakeAttempts = 0;
        attemptOpen = false;
        sentLastMinuteHandshake = false;
    }

    /** A session was derived (before sending a response, or after receiving one). */
    public void sessionDerived(long now) {
        arm(ZERO_KEYS, now + ZERO_KEYS_AFTER);
    }

    /**
     * Sets the persistent keepalive interval; zero turns it off. Turning it on from off asks for
     * a keepalive at once, as wg(8) does, so a NAT mapping opens without waiting.
     */
    public int setPersistentKeepalive(long now, Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("persistent keepalive interval must not be negative: " + interval);
        }
        long nanos = interval.toNanos();
        boolean turnedOn = persistentKeepaliveInterval == 0 && nanos != 0;
        persistentKeepaliveInterval = nanos;
        if (nanos == 0) {
            disarm(PERSISTENT_KEEPALIVE);
        }
        return turnedOn ? SEND_KEEPALIVE : 0;
    }

    /**
     * A handshake is wanted now for a reason outside the timers (packets staged and no usable
     * session, an operator request): a fresh attempt, subject to the initiation rate limit.
     */
    public int handshakeWanted(long now) {
        return initiate(now, false);
    }

    /**
     * Called after sending on the current session, with that session's facts. Asks for a rekey
     * when more than REKEY_AFTER_MESSAGES were sent, or when we initiated it REKEY_AFTER_TIME ago.
     *
     * @param sessionCreated when the session was derived (same clock as {@code now})
     * @param weInitiated whether this side sent the initiation of that session
     * @param nextSendCounter the counter the next packet would use (unsigned)
     */
    public int keepKeyFreshSending(long now, long sessionCreated, boolean weInitiated, long nextSendCounter) {
        boolean tooMany = Long.compareUnsigned(nextSendCounter, WireGuard.REKEY_AFTER_MESSAGES) > 0;
        boolean tooOld = weInitiated && now - sessionCreated >= REKEY_AFTER_TIME;
        return tooMany || tooOld ? initiate(now, false) : 0;
    }

    /**
     * Called after receiving data on the current session. If we initiated it 165 s ago, asks for
     * one handshake (not again until a handshake completes): a peer that only receives never
     * triggers {@link #keepKeyFreshSending}, and its keys would otherwise die at 180 s.
     */
    public int keepKeyFreshReceiving(long now, long sessionCreated, boolean weInitiated) {
        if (!weInitiated || now - sessionCreated < LAST_MINUTE_REKEY) {
            return 0;
        }
        return lastMinuteHandshakeWanted(now);
    }

    /**
     * The receive-side rekey when the session itself already applied the age rule (for example
     * a keypair's own "rekey on receive" predicate): asks for one handshake, then nothing more
     * until a handshake completes.
     */
    public int lastMinuteHandshakeWanted(long now) {
        if (sentLastMinuteHandshake) {
            return 0;
        }
        sentLastMinuteHandshake = true;
        return initiate(now, false);
    }

    /** Fires every timer due at {@code now} and returns what the actor must do. */
    public int advance(long now) {
        int actions = 0;
        for (int t = earliestDue(now); t >= 0; t = earliestDue(now)) {
            disarm(t);
            actions |= expire(t, now);
        }
        return actions;
    }

    /** Cancels every timer (peer removed or interface down); counters are kept. */
    public void stop() {
        armed = 0;
    }

    // ------------------------------------------------------------------ queries

    /** Whether any timer is armed. */
    public boolean hasDeadline() {
        return armed != 0;
    }

    /**
     * The earliest armed deadline, the time to schedule the next {@link #advance} for.
     *
     * @throws IllegalStateException if no timer is armed
     */
    public long nextDeadline() {
        int t = earliest();
        if (t < 0) {
            throw new IllegalStateException("no timer is armed");
        }
        return deadline[t];
    }

    /** Retries sent since the last fresh attempt (diagnostics). */
    public int handshakeAttempts() {
        return handshakeAttempts;
    }

    /** Whether the persistent keepalive is on. */
    public boolean persistentKeepaliveEnabled() {
        return persistentKeepaliveInterval != 0;
    }

    /**
     * Whether a session may still send: younger than REJECT_AFTER_TIME and the next counter below
     * REJECT_AFTER_MESSAGES (unsigned).
     */
    public static boolean canSend(long now, long sessionCreated, long nextSendCounter) {
        return now - sessionCreated < REJECT_AFTER_TIME
                && Long.compareUnsigned(nextSendCounter, WireGuard.REJECT_AFTER_MESSAGES) < 0;
    }

    /** Whether a session may still receive: younger than REJECT_AFTER_TIME. */
    public static boolean canReceive(long now, long sessionCreated) {
        return now - sessionCreated < REJECT_AFTER_TIME;
    }

    /** The names of the actions in a returned bit set, for logs and test messages. */
    public static String describe(int actions) {
        StringBuilder sb = new StringBuilder("[");
        String[] names = {"SEND_HANDSHAKE_INITIATION", "SEND_KEEPALIVE", "ZERO_KEY_MATERIAL",
                "DROP_STAGED_PACKETS", "CLEAR_ENDPOINT_SOURCE"};
        for (int i = 0; i < names.length; i++) {
            if ((actions & (1 << i)) != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(names[i]);
            }
        }
        return sb.append(']').toString();
    }

    // ------------------------------------------------------------------ internals

    private int expire(int timer, long now) {
        return switch (timer) {
            case RETRANSMIT_HANDSHAKE -> {
                if (attemptOpen && now - attemptStarted >= REKEY_ATTEMPT_TIME) {
                    attemptOpen = false;
                    disarm(SEND_KEEPALIVE_TIMER);
                    // Whatever a partial exchange left behind must not outlive its usefulness.
                    if (!isArmed(ZERO_KEYS)) {
                        arm(ZERO_KEYS, now + ZERO_KEYS_AFTER);
                    }
                    yield DROP_STAGED_PACKETS;
                }
                if (now - lastInitiationSent < REKEY_TIMEOUT) {
                    // Armed for the budget's end, but a fresh request reopened the attempt since:
                    // no give-up, and too early for an initiation; retry at the usual time.
                    arm(RETRANSMIT_HANDSHAKE, lastInitiationSent + REKEY_TIMEOUT + jitter());
                    yield 0;
                }
                handshakeAttempts++;
                yield CLEAR_ENDPOINT_SOURCE | initiate(now, true);
            }
            case SEND_KEEPALIVE_TIMER -> {
                if (needAnotherKeepalive) {
                    needAnotherKeepalive = false;
                    arm(SEND_KEEPALIVE_TIMER, now + KEEPALIVE_TIMEOUT);
                }
                yield SEND_KEEPALIVE;
            }
            case NEW_HANDSHAKE -> CLEAR_ENDPOINT_SOURCE | initiate(now, false);
            case ZERO_KEYS -> ZERO_KEY_MATERIAL;
            case PERSISTENT_KEEPALIVE -> persistentKeepaliveInterval != 0 ? SEND_KEEPALIVE : 0;
            default -> throw new AssertionError(timer);
        };
    }

    private int initiate(long now, boolean retry) {
        if (!retry) {
            // A fresh request: the next initiation opens a new attempt (the kernel resets its
            // attempt counter here too, even when the rate limit below says "not yet").
            handshakeAttempts = 0;
            attemptOpen = false;
        }
        if (initiationEverSent && now - lastInitiationSent < REKEY_TIMEOUT) {
            return 0;
        }
        return SEND_HANDSHAKE_INITIATION;
    }

    private void traversal(long now) {
        if (persistentKeepaliveInterval != 0) {
            arm(PERSISTENT_KEEPALIVE, now + persistentKeepaliveInterval);
        }
    }

    private long jitter() {
        return random.nextLong(JITTER_BOUND);
    }

    private boolean isArmed(int timer) {
        return (armed & (1 << timer)) != 0;
    }

    private void arm(int timer, long at) {
        deadline[timer] = at;
        armed |= 1 << timer;
    }

    private void disarm(int timer) {
        armed &= ~(1 << timer);
    }

    private int earliest() {
        int best = -1;
        for (int t = 0; t < TIMERS; t++) {
            if (isArmed(t) && (best < 0 || deadline[t] - deadline[best] < 0)) {
                best = t;
            }
        }
        return best;
    }

    private int earliestDue(long now) {
        int t = earliest();
        return t >= 0 && now - deadline[t] >= 0 ? t : -1;
    }
}
