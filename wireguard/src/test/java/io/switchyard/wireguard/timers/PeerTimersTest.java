package io.switchyard.wireguard.timers;

import static io.switchyard.wireguard.timers.PeerTimers.CLEAR_ENDPOINT_SOURCE;
import static io.switchyard.wireguard.timers.PeerTimers.DROP_STAGED_PACKETS;
import static io.switchyard.wireguard.timers.PeerTimers.SEND_HANDSHAKE_INITIATION;
import static io.switchyard.wireguard.timers.PeerTimers.SEND_KEEPALIVE;
import static io.switchyard.wireguard.timers.PeerTimers.ZERO_KEY_MATERIAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.wireguard.WireGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Timer sequences on a fake clock. A small fake actor performs the actions the machine returns,
 * the way the peer actor will, and records what it did and when.
 */
class PeerTimersTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    /** Jitter of a fixed size, so deadlines are exact. */
    private static RandomGenerator fixedJitter(long nanos) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws are expected");
            }

            @Override
            public long nextLong(long bound) {
                assertEquals(WireGuard.REKEY_TIMEOUT_JITTER_MAX.toNanos() + 1, bound, "jitter bound");
                return nanos;
            }
        };
    }

    record Event(long at, int actions) {
        boolean has(int action) {
            return (actions & action) != 0;
        }

        @Override
        public String toString() {
            return (at / (double) S) + "s " + PeerTimers.describe(actions);
        }
    }

    /** The actor side: performs actions, reports the resulting events back, logs everything. */
    private static final class FakePeer {
        final PeerTimers timers;
        final List<Event> log = new ArrayList<>();
        long now;
        boolean sessionUsable;
        boolean answerHandshakes; // the other side responds at once

        FakePeer(long start, RandomGenerator random) {
            timers = new PeerTimers(random);
            now = start;
        }

        void perform(int actions) {
            if (actions == 0) return;
            log.add(new Event(now, actions));
            if ((actions & ZERO_KEY_MATERIAL) != 0) {
                sessionUsable = false;
            }
            if ((actions & SEND_HANDSHAKE_INITIATION) != 0) {
                timers.handshakeInitiated(now);
                if (answerHandshakes) {
                    timers.authenticatedPacketReceived(now);
                    timers.sessionDerived(now);
                    timers.handshakeComplete(now);
                    sessionUsable = true;
                }
            }
            if ((actions & SEND_KEEPALIVE) != 0) {
                if (sessionUsable) {
                    timers.authenticatedPacketSent(now);
                } else {
                    perform(timers.handshakeWanted(now));
                }
            }
        }

        /** Lets time pass to {@code until}, firing each deadline at its exact time. */
        void runUntil(long until) {
            while (timers.hasDeadline() && timers.nextDeadline() - until <= 0) {
                now = Math.max(now, timers.nextDeadline());
                perform(timers.advance(now));
            }
            now = until;
        }

        List<Long> times(int action) {
            return log.stream().filter(e -> e.has(action)).map(Event::at).toList();
        }
    }

    /**
     * Retries every REKEY_TIMEOUT + jitter until REKEY_ATTEMPT_TIME (90 s) after the first
     * initiation, then gives up at 90 s exactly: the initiations are those at k * (5 s + jitter)
     * below 90 s, 18 with 0 or 200 ms of jitter, 17 with the maximum 333 ms.
     */
    @ParameterizedTest
    @ValueSource(longs = {0, 200, 333})
    void retransmitsEveryRekeyTimeoutPlusJitterThenGivesUpAtRekeyAttemptTime(long jitterMillis) {
        long jitter = jitterMillis * MS;
        long start = 7 * S; // not zero, so "since the first attempt" is really measured from it
        FakePeer peer = new FakePeer(start, fixedJitter(jitter));
        peer.perform(peer.timers.handshakeWanted(start));
        peer.runUntil(start + 1000 * S);

        int expected = jitterMillis == 333 ? 17 : 18;
        List<Long> initiations = peer.times(SEND_HANDSHAKE_INITIATION);
        assertEquals(expected, initiations.size(), peer.log.toString());
        for (int i = 0; i < initiations.size(); i++) {
            assertEquals(start + i * (5 * S + jitter), initiations.get(i), "initiation " + i);
        }
        long giveUp = start + WireGuard.REKEY_ATTEMPT_TIME.toNanos();
        assertTrue(initiations.getLast() < giveUp, "the last initiation is before 90 s");
        assertTrue(initiations.getLast() + 5 * S + jitter >= giveUp, "and no retry that was due before 90 s is skipped");
        assertEquals(expected - 1, peer.times(CLEAR_ENDPOINT_SOURCE).size(), "every retry clears the source");
        assertEquals(List.of(giveUp), peer.times(DROP_STAGED_PACKETS), "staged packets dropped at 90 s");
        assertTrue(peer.log.stream().noneMatch(e -> e.at() >= giveUp && e.has(SEND_HANDSHAKE_INITIATION)),
                "nothing sent from 90 s on");
        assertEquals(List.of(giveUp + 540 * S), peer.times(ZERO_KEY_MATERIAL), "residue zeroed");
        assertFalse(peer.timers.hasDeadline(), "all quiet afterwards");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void jitterStaysWithinBounds(long seed) {
        FakePeer peer = new FakePeer(0, new SplittableRandom(seed));
        peer.perform(peer.timers.handshakeWanted(0));
        peer.runUntil(200 * S);
        List<Long> initiations = peer.times(SEND_HANDSHAKE_INITIATION);
        assertTrue(initiations.size() == 17 || initiations.size() == 18, initiations.toString());
        assertTrue(initiations.getLast() < 90 * S);
        assertEquals(List.of(90 * S), peer.times(DROP_STAGED_PACKETS));
        long distinct = 0;
        for (int i = 1; i < initiations.size(); i++) {
            long gap = initiations.get(i) - initiations.get(i - 1);
            assertTrue(gap >= 5 * S && gap <= 5 * S + 333 * MS, "gap " + gap);
            distinct += gap != 5 * S ? 1 : 0;
        }
        assertTrue(distinct > 10, "jitter is actually applied");
    }

    /**
     * A fresh request during an attempt (a packet staged, as the kernel's is_retry=false) starts
     * a new attempt at its next initiation, so the 90 s budget counts from there; when the old
     * budget's deadline comes too soon after the last initiation, the retry waits its 5 s.
     */
    @Test
    void aFreshRequestDuringAnAttemptStartsANewBudget() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.perform(peer.timers.handshakeWanted(0));
        peer.runUntil(87 * S); // initiations at 0, 5, ..., 85
        assertEquals(0, peer.timers.handshakeWanted(87 * S), "rate limited: 2 s after the last");
        peer.runUntil(1000 * S);
        List<Long> initiations = peer.times(SEND_HANDSHAKE_INITIATION);
        // The old budget ended at 90 s: not a give-up, the retry goes at 85 + 5 = 90 s and opens
        // the new attempt, which gives up 90 s after it.
        assertEquals(90 * S, initiations.get(18));
        assertEquals(List.of(180 * S), peer.times(DROP_STAGED_PACKETS));
        assertEquals(36, initiations.size(), initiations.toString());
        assertTrue(initiations.getLast() < 180 * S);

        // With 200 ms of jitter the last retry is at 88.4 s and the deadline is capped at the
        // budget's end, 90 s: a fresh request at 89 s reopens the attempt, and at 90 s it is too
        // early to send again, so the retry waits for its usual time, 88.4 + 5.2 = 93.6 s.
        long step = 5 * S + 200 * MS;
        FakePeer late = new FakePeer(0, fixedJitter(200 * MS));
        late.perform(late.timers.handshakeWanted(0));
        late.runUntil(89 * S);
        assertEquals(0, late.timers.handshakeWanted(89 * S));
        late.runUntil(1000 * S);
        List<Long> lateInits = late.times(SEND_HANDSHAKE_INITIATION);
        assertEquals(17 * step, lateInits.get(17));
        assertEquals(18 * step, lateInits.get(18), "retry at its usual time, not lost");
        assertEquals(List.of(18 * step + 90 * S), late.times(DROP_STAGED_PACKETS));
        assertEquals(36, lateInits.size(), lateInits.toString());
    }

    @Test
    void handshakeCompleteStopsRetransmissionAndResetsAttempts() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.perform(peer.timers.handshakeWanted(0));
        peer.runUntil(12 * S); // retries at 5 and 10
        assertEquals(2, peer.timers.handshakeAttempts());
        peer.timers.authenticatedPacketReceived(peer.now);
        peer.timers.sessionDerived(peer.now);
        peer.timers.handshakeComplete(peer.now);
        assertEquals(0, peer.timers.handshakeAttempts());
        peer.runUntil(500 * S);
        assertEquals(List.of(0L, 5 * S, 10 * S), peer.times(SEND_HANDSHAKE_INITIATION));
    }

    @Test
    void initiationsAreRateLimitedToOnePerRekeyTimeout() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.handshakeWanted(0));
        t.handshakeInitiated(0);
        assertEquals(0, t.handshakeWanted(4_999 * MS));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.handshakeWanted(5 * S));
    }

    @Test
    void initiatorRekeysOnSendAfterRekeyAfterTime() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        long created = 7 * S;
        t.sessionDerived(created);
        assertEquals(0, t.keepKeyFreshSending(created + 120 * S - 1, created, true, 10));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshSending(created + 120 * S, created, true, 10));
        // The responder leaves time-based rekeying to the initiator.
        assertEquals(0, t.keepKeyFreshSending(created + 170 * S, created, false, 10));
        // Once sent, not again within REKEY_TIMEOUT.
        t.handshakeInitiated(created + 120 * S);
        assertEquals(0, t.keepKeyFreshSending(created + 124 * S, created, true, 11));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshSending(created + 125 * S, created, true, 12));
    }

    @Test
    void eitherSideRekeysAfterRekeyAfterMessages() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        long limit = WireGuard.REKEY_AFTER_MESSAGES;
        assertEquals(0, t.keepKeyFreshSending(S, 0, false, limit));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshSending(S, 0, false, limit + 1));
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshSending(S, 0, false, -5L), "compared unsigned");
    }

    @Test
    void keysAreRejectedAfterRejectAfterTimeOrMessages() {
        long created = 3 * S;
        assertTrue(PeerTimers.canSend(created + 180 * S - 1, created, 0));
        assertFalse(PeerTimers.canSend(created + 180 * S, created, 0));
        assertTrue(PeerTimers.canReceive(created + 180 * S - 1, created));
        assertFalse(PeerTimers.canReceive(created + 180 * S, created));
        assertTrue(PeerTimers.canSend(created, created, WireGuard.REJECT_AFTER_MESSAGES - 1));
        assertFalse(PeerTimers.canSend(created, created, WireGuard.REJECT_AFTER_MESSAGES));
        assertFalse(PeerTimers.canSend(created, created, -1L), "2^64-1 is past the limit, unsigned");
        assertTrue(PeerTimers.canSend(created, created, Long.MAX_VALUE), "2^63-1 is below it");
    }

    @Test
    void receiveSideRekeysOnceAt165SecondsWhenWeInitiated() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        long created = 0;
        assertEquals(165 * S, WireGuard.REJECT_AFTER_TIME.minus(WireGuard.KEEPALIVE_TIMEOUT)
                .minus(WireGuard.REKEY_TIMEOUT).toNanos());
        assertEquals(0, t.keepKeyFreshReceiving(165 * S - 1, created, true));
        assertEquals(0, t.keepKeyFreshReceiving(170 * S, created, false), "responder never");
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshReceiving(165 * S, created, true));
        t.handshakeInitiated(165 * S);
        assertEquals(0, t.keepKeyFreshReceiving(171 * S, created, true), "only once per handshake");
        t.handshakeComplete(172 * S);
        assertEquals(SEND_HANDSHAKE_INITIATION, t.keepKeyFreshReceiving(173 * S, created, true),
                "armed again after a completed handshake");
        t.handshakeInitiated(173 * S);
        assertEquals(0, t.lastMinuteHandshakeWanted(179 * S), "the predicate form shares the once-flag");
        t.handshakeComplete(180 * S);
        assertEquals(SEND_HANDSHAKE_INITIATION, t.lastMinuteHandshakeWanted(181 * S));
    }

    @Test
    void keepaliveAfterTenSecondsOfSilence() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.sessionUsable = true;
        peer.timers.authenticatedPacketReceived(0);
        peer.timers.dataReceived(0);
        assertEquals(10 * S, peer.timers.nextDeadline());
        assertEquals(0, peer.timers.advance(10 * S - 1));
        assertEquals(SEND_KEEPALIVE, peer.timers.advance(10 * S));

        // A reply of our own within 10 s makes the keepalive unnecessary.
        peer.timers.dataReceived(20 * S);
        peer.timers.authenticatedPacketSent(24 * S);
        peer.runUntil(100 * S);
        assertEquals(List.of(), peer.times(SEND_KEEPALIVE));
    }

    @Test
    void moreDataDuringThePendingKeepaliveOwesAnotherOne() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        t.dataReceived(0);
        t.dataReceived(3 * S); // timer already pending: one more keepalive is owed after it
        assertEquals(SEND_KEEPALIVE, t.advance(10 * S));
        assertEquals(20 * S, t.nextDeadline());
        assertEquals(SEND_KEEPALIVE, t.advance(20 * S));
        assertFalse(t.hasDeadline());
    }

    @Test
    void newHandshakeWhenSentDataGoesUnanswered() {
        long jitter = 100 * MS;
        FakePeer peer = new FakePeer(0, fixedJitter(jitter));
        peer.answerHandshakes = true;
        peer.sessionUsable = true;
        peer.timers.authenticatedPacketSent(0);
        peer.timers.dataSent(0);
        peer.timers.dataSent(2 * S); // already pending: no re-arm
        peer.runUntil(60 * S);
        assertEquals(List.of(15 * S + jitter), peer.times(SEND_HANDSHAKE_INITIATION));
        assertTrue(peer.log.getFirst().has(CLEAR_ENDPOINT_SOURCE));

        // Anything authenticated coming back in time cancels it.
        FakePeer answered = new FakePeer(0, fixedJitter(jitter));
        answered.timers.dataSent(0);
        answered.timers.authenticatedPacketReceived(14 * S);
        answered.runUntil(60 * S);
        assertEquals(List.of(), answered.log);
    }

    @Test
    void sessionsAreZeroedAfterThreeRejectAfterTimes() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.sessionUsable = true;
        peer.timers.sessionDerived(0);
        peer.runUntil(540 * S - 1);
        assertEquals(List.of(), peer.log);
        peer.runUntil(540 * S);
        assertEquals(List.of(540 * S), peer.times(ZERO_KEY_MATERIAL));
        assertFalse(peer.sessionUsable);

        // A newer session pushes the deadline out.
        PeerTimers t = new PeerTimers(fixedJitter(0));
        t.sessionDerived(0);
        t.sessionDerived(100 * S);
        assertEquals(0, t.advance(639 * S));
        assertEquals(ZERO_KEY_MATERIAL, t.advance(640 * S));
    }

    @Test
    void persistentKeepalive() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.sessionUsable = true;
        // Turning it on sends one at once (opens the NAT mapping), then one per idle interval.
        peer.perform(peer.timers.setPersistentKeepalive(0, Duration.ofSeconds(25)));
        peer.runUntil(60 * S);
        assertEquals(List.of(0L, 25 * S, 50 * S), peer.times(SEND_KEEPALIVE));
        // Traffic in either direction restarts the interval.
        peer.timers.authenticatedPacketReceived(70 * S);
        peer.runUntil(100 * S);
        assertEquals(List.of(0L, 25 * S, 50 * S, 95 * S), peer.times(SEND_KEEPALIVE));
        // Changing a non-zero interval sends nothing at once; zero turns it off.
        assertEquals(0, peer.timers.setPersistentKeepalive(100 * S, Duration.ofSeconds(30)));
        assertEquals(0, peer.timers.setPersistentKeepalive(100 * S, Duration.ZERO));
        peer.runUntil(1000 * S);
        assertEquals(4, peer.times(SEND_KEEPALIVE).size());
        assertFalse(peer.timers.persistentKeepaliveEnabled());
        assertThrows(IllegalArgumentException.class,
                () -> peer.timers.setPersistentKeepalive(0, Duration.ofSeconds(-1)));
    }

    @Test
    void persistentKeepaliveWithoutSessionAsksForHandshake() {
        FakePeer peer = new FakePeer(0, fixedJitter(0));
        peer.answerHandshakes = true;
        peer.perform(peer.timers.setPersistentKeepalive(0, Duration.ofSeconds(25)));
        assertEquals(List.of(0L), peer.times(SEND_HANDSHAKE_INITIATION));
        assertTrue(peer.sessionUsable);
    }

    @Test
    void deadlinesSurviveClockWrapAndStopCancelsAll() {
        long start = Long.MAX_VALUE - 3 * S; // System.nanoTime may be anywhere
        PeerTimers t = new PeerTimers(fixedJitter(0));
        assertFalse(t.hasDeadline());
        assertThrows(IllegalStateException.class, t::nextDeadline);
        t.dataReceived(start);
        t.sessionDerived(start);
        assertEquals(start + 10 * S, t.nextDeadline(), "wraps negative and is still the earliest");
        assertEquals(0, t.advance(start + 9 * S));
        assertEquals(SEND_KEEPALIVE, t.advance(start + 10 * S));
        t.stop();
        assertFalse(t.hasDeadline());
        assertEquals(0, t.advance(start + 1000 * S));
    }

    @Test
    void lateAdvanceFiresEverythingDueAtOnce() {
        PeerTimers t = new PeerTimers(fixedJitter(0));
        t.dataReceived(0);
        t.sessionDerived(0);
        t.dataSent(0);
        int actions = t.advance(1000 * S);
        assertEquals(SEND_KEEPALIVE | ZERO_KEY_MATERIAL | SEND_HANDSHAKE_INITIATION | CLEAR_ENDPOINT_SOURCE,
                actions, PeerTimers.describe(actions));
        assertFalse(t.hasDeadline());
    }

    /**
     * Random event sequences through the fake actor, checking what must hold whatever happens:
     * nothing due is left after advance, initiations are at least REKEY_TIMEOUT apart, keys are
     * never zeroed earlier than 3 x REJECT_AFTER_TIME after the last session, and once traffic
     * stops (no persistent keepalive) every timer eventually goes quiet.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void randomEventSequencesKeepInvariants(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        FakePeer peer = new FakePeer(rnd.nextLong(), new SplittableRandom(seed + 100));
        PeerTimers t = peer.timers;
        long start = peer.now;
        long lastDerived = Long.MIN_VALUE;
        boolean derivedEver = false;
        for (int step = 0; step < 3_000; step++) {
            long next = peer.now + rnd.nextLong(0, 8 * S);
            // Let time pass through every deadline, checking each advance.
            while (t.hasDeadline() && t.nextDeadline() - next <= 0) {
                peer.now = t.nextDeadline() - peer.now > 0 ? t.nextDeadline() : peer.now;
                int before = peer.log.size();
                peer.perform(t.advance(peer.now));
                assertTrue(!t.hasDeadline() || t.nextDeadline() - peer.now > 0, "nothing due is left");
                for (Event e : peer.log.subList(before, peer.log.size())) {
                    if (e.has(ZERO_KEY_MATERIAL) && derivedEver) {
                        assertTrue(e.at() - lastDerived >= 540 * S, "zeroed too early: " + e);
                    }
                }
            }
            peer.now = next;
            long now = peer.now;
            switch (rnd.nextInt(10)) {
                case 0 -> { t.dataSent(now); t.authenticatedPacketSent(now); }
                case 1 -> { t.dataReceived(now); t.authenticatedPacketReceived(now); }
                case 2 -> t.authenticatedPacketSent(now);
                case 3 -> t.authenticatedPacketReceived(now);
                case 4 -> peer.perform(t.handshakeWanted(now));
                case 5 -> {
                    t.sessionDerived(now);
                    t.handshakeComplete(now);
                    peer.sessionUsable = true;
                    lastDerived = now;
                    derivedEver = true;
                }
                case 6 -> peer.perform(t.keepKeyFreshSending(now, lastDerived, rnd.nextBoolean(), rnd.nextLong()));
                case 7 -> peer.perform(t.keepKeyFreshReceiving(now, lastDerived, rnd.nextBoolean()));
                case 8 -> peer.perform(t.setPersistentKeepalive(now, Duration.ofSeconds(rnd.nextInt(0, 30))));
                default -> { /* silence */ }
            }
        }
        List<Long> initiations = peer.times(SEND_HANDSHAKE_INITIATION);
        for (int i = 1; i < initiations.size(); i++) {
            assertTrue(initiations.get(i) - initiations.get(i - 1) >= 5 * S,
                    "initiations " + (initiations.get(i - 1) - start) + " and " + (initiations.get(i) - start) + " too close");
        }
        assertTrue(initiations.size() > 10, "the sequence exercised handshakes");
        // Silence: with the persistent keepalive off, everything runs down.
        peer.perform(t.setPersistentKeepalive(peer.now, Duration.ZERO));
        peer.runUntil(peer.now + 2000 * S);
        assertFalse(t.hasDeadline(), "timers still armed after long silence");
    }
}
