package io.switchyard.wireguard.session;

import io.switchyard.wireguard.crypto.Aead;
import io.switchyard.wireguard.noise.SessionKeys;
import io.switchyard.wireguard.session.ReplayWindow;
import io.switchyard.wireguard.WireGuard;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One transport session: a sending and a receiving key, both indexes, the send counter and the
 * receive replay window, and the limits that end it (whitepaper 6.1 and 6.2).
 *
 * <p>Sending takes counters from an atomic so a keypair may be shared by senders; a counter at
 * {@link WireGuard#REJECT_AFTER_MESSAGES} sticks there and nothing more is sent. Receiving runs
 * open, then replay, in that order: {@link ReplayWindow#mayAccept} first (cheap, read only), then
 * the tag, then {@link ReplayWindow#accept}, so a forged packet never moves the window. The
 * receive side is single-threaded (one peer actor). Times are monotonic nanoseconds.
 *
 * <p>{@link #destroy()} zeroes both keys when the session is dead for good (ZERO_KEY_MATERIAL);
 * after it the keypair can neither send nor receive. It must be called by the thread that seals
 * and opens on this keypair (see {@link Aead#destroy()}).
 */
public final class Keypair {
    /** {@link #open} result: the tag did not authenticate. */
    public static final int BAD_TAG = -1;
    /** {@link #open} result: counter already seen, too old, or at the limit. */
    public static final int REPLAYED = -2;
    /** {@link #open} result: the keypair is older than {@link WireGuard#REJECT_AFTER_TIME}. */
    public static final int EXPIRED = -3;

    private static final long REJECT_AFTER_TIME = WireGuard.REJECT_AFTER_TIME.toNanos();
    private static final long REKEY_AFTER_TIME = WireGuard.REKEY_AFTER_TIME.toNanos();
    private static final long REKEY_ON_RECEIVE_AGE = (WireGuard.REJECT_AFTER_TIME
            .minus(WireGuard.KEEPALIVE_TIMEOUT).minus(WireGuard.REKEY_TIMEOUT)).toNanos();

    private final Aead sender;
    private final Aead receiver;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    private final AtomicLong sendCounter;
    private final ReplayWindow replay = new ReplayWindow();
    private boolean destroyed;

    public Keypair(SessionKeys keys, long nowNanos) {
        this(keys, nowNanos, 0);
    }

    /** With a first send counter (tests start near the limits). */
    Keypair(SessionKeys keys, long nowNanos, long firstCounter) {
        this.sender = Aead.of(keys.sendKey());
        this.receiver = Aead.of(keys.receiveKey());
        this.localIndex = keys.localIndex();
        this.remoteIndex = keys.remoteIndex();
        this.initiator = keys.initiator();
        this.createdNanos = nowNanos;
        this.sendCounter = new AtomicLong(firstCounter);
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public boolean isInitiator() {
        return initiator;
    }

    /**
     * The next send counter, or {@code -1} once {@link WireGuard#REJECT_AFTER_MESSAGES} counters
     * are spent (compare unsigned: counters above 2^63 are legal and look negative).
     */
    public long nextSendCounter() {
        long c = sendCounter.getAndIncrement();
        if (Long.compareUnsigned(c, WireGuard.REJECT_AFTER_MESSAGES) >= 0) {
            sendCounter.set(WireGuard.REJECT_AFTER_MESSAGES); // stick: never wrap to zero
            return -1;
        }
        return c;
    }

    /** Whether data may still be sent on this keypair at {@code nowNanos}. */
    public boolean canSend(long nowNanos) {
        return !destroyed && nowNanos - createdNanos < REJECT_AFTER_TIME
                && Long.compareUnsigned(sendCounter.get(), WireGuard.REJECT_AFTER_MESSAGES) < 0;
    }

    /**
     * Whether sending on this keypair should start a new handshake: after
     * {@link WireGuard#REKEY_AFTER_MESSAGES}, or, for the initiator, after
     * {@link WireGuard#REKEY_AFTER_TIME} (only the initiator rekeys by time, so both sides don't).
     */
    public boolean wantsRekeyOnSend(long nowNanos) {
        return Long.compareUnsigned(sendCounter.get(), WireGuard.REKEY_AFTER_MESSAGES) >= 0
                || (initiator && nowNanos - createdNanos >= REKEY_AFTER_TIME);
    }

    /**
     * Whether receiving on this keypair should start a new handshake: the initiator, once the
     * keypair is within a keepalive and a rekey timeout of {@link WireGuard#REJECT_AFTER_TIME},
     * so a passive initiator still renews before the session dies.
     */
    public boolean wantsRekeyOnReceive(long nowNanos) {
        return initiator && nowNanos - createdNanos >= REKEY_ON_RECEIVE_AGE;
    }

    /** Seals in place with {@code counter} from {@link #nextSendCounter()}; see {@link Aead#seal}. */
    public int seal(long counter, ByteBuffer packet, int offset, int length) {
        return sender.seal(counter, packet, offset, length);
    }

    /**
     * Opens in place and, if it authenticated and was not a replay, records the counter. Returns
     * the plaintext length or {@link #BAD_TAG}, {@link #REPLAYED} or {@link #EXPIRED}.
     */
    public int open(long counter, ByteBuffer packet, int offset, int length, long nowNanos) {
        if (destroyed || nowNanos - createdNanos >= REJECT_AFTER_TIME) {
            return EXPIRED;
        }
        if (!replay.mayAccept(counter)) {
            return REPLAYED;
        }
        int n = receiver.open(counter, packet, offset, length);
        if (n < 0) {
            return BAD_TAG;
        }
        return replay.accept(counter) ? n : REPLAYED;
    }

    /**
     * Overwrites both keys with zeros; from now on {@link #canSend} is false, {@link #open}
     * answers {@link #EXPIRED} and {@link #seal} throws. Idempotent.
     */
    public void destroy() {
        destroyed = true;
        sender.destroy();
        receiver.destroy();
    }

    /** Whether {@link #destroy()} ran and both keys now read as zeros. */
    public boolean isDestroyed() {
        return destroyed && sender.isDestroyed() && receiver.isDestroyed();
    }

    /** Age in nanoseconds at {@code nowNanos}. */
    public long age(long nowNanos) {
        return nowNanos - createdNanos;
    }
}
