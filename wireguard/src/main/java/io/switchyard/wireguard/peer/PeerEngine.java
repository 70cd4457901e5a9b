package io.switchyard.wireguard.peer;

import io.switchyard.config.Key32;
import io.switchyard.wireguard.noise.Handshake;
import io.switchyard.wireguard.noise.HandshakeException;
import io.switchyard.wireguard.noise.SessionKeys;
import io.switchyard.wireguard.WireGuard;
import io.switchyard.wireguard.session.Keypair;
import io.switchyard.wireguard.session.Keypairs;
import io.switchyard.wireguard.timers.PeerTimers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The WireGuard protocol for one remote peer, with no sockets and no threads of its own: the
 * handshake state, the three keypair slots with the key-confirmation rule, in-place seal and
 * open of transport messages, and the timers. The hub's peer actor and the client mode both
 * drive it; whoever owns it moves the bytes.
 *
 * <h2>Data path (owner thread only)</h2>
 * <pre>
 *  send:    seal(buf, off, plainLen, now)   writes the 16-byte header at off, pads the plaintext
 *           at off+16 with zeros to a multiple of 16, encrypts in place, appends the tag;
 *           returns the message length, or NO_SESSION (stage the packet, then poll actions).
 *  receive: open(buf, off, len, now)        finds the keypair by receiver index, checks the
 *           replay window (read only), authenticates and decrypts in place at off+16, and only
 *           then records the counter; returns the plaintext length (still padded) or a status.
 * </pre>
 * Nothing on these two paths throws, allocates or takes more than two uncontended locks.
 * Statuses are negative ints ({@link #BAD_TAG}, {@link #REPLAYED}, ...), counted by the caller.
 *
 * <h2>Actions</h2>
 * Timers and events ask for work as bits: {@link #SEND_HANDSHAKE_INITIATION} (call
 * {@link #createInitiation}), {@link #SEND_KEEPALIVE} (seal an empty payload),
 * {@link #DROP_STAGED_PACKETS}, {@link #SESSION_READY} (a keypair to send on just appeared: send
 * what is staged), {@link #ZERO_KEY_MATERIAL} (done by the engine inside {@link #advanceTimers}:
 * keys overwritten, pending handshake wiped; reported for logs) and
 * {@link #CLEAR_ENDPOINT_SOURCE}. Data-path calls accumulate their bits; the owner collects them
 * with {@link #pollActions()} (after a batch) and {@link #advanceTimers(long)} (when
 * {@link #nextDeadline()} is due).
 *
 * <h2>Handshakes</h2>
 * Initiator: {@link #createInitiation} here; the response goes through {@link Device#handleResponse}
 * (any thread), then {@link #installSession} here: the keypair is current at once and the engine
 * asks for {@link #SESSION_READY} and a {@link #SEND_KEEPALIVE} (send staged packets, or a
 * keepalive if none, so the responder gets its key confirmation). Responder:
 * {@link Device#handleInitiation} (any thread) gives the response and the keys;
 * {@link #installSession} puts the keypair in {@code next}: nothing is sent on it until the
 * initiator's first data message opens with it, which moves it to current and reports
 * {@link #SESSION_READY}.
 *
 * <h2>Threads</h2>
 * One owner thread at a time calls the data path, timers and {@link #installSession}; the
 * {@link Device}'s handshake methods may run on other threads at the same time (they touch only
 * the {@link Handshake}, which locks itself, and this engine's index bookkeeping, which is
 * synchronized).
 */
public final class PeerEngine {
    // --- statuses (negative) ---------------------------------------------------------------
    /** open: the tag did not authenticate. */
    public static final int BAD_TAG = Keypair.BAD_TAG;
    /** open: counter already seen, too far behind the window, or at the limit. */
    public static final int REPLAYED = Keypair.REPLAYED;
    /** open: the session is older than REJECT_AFTER_TIME. */
    public static final int EXPIRED = Keypair.EXPIRED;
    /** open: the receiver index is not one of this peer's sessions (retired, or never ours). */
    public static final int UNKNOWN_INDEX = -4;
    /** open: not a transport message (wrong type word or shorter than header and tag). */
    public static final int MALFORMED = -5;
    /** seal: no session to send on; stage the packet and {@linkplain #pollActions() poll actions}. */
    public static final int NO_SESSION = -6;
    /** seal: the buffer has no room for header, payload and tag. */
    public static final int NO_ROOM = -7;

    // --- actions (bits) --------------------------------------------------------------------
    public static final int SEND_HANDSHAKE_INITIATION = PeerTimers.SEND_HANDSHAKE_INITIATION;
    public static final int SEND_KEEPALIVE = PeerTimers.SEND_KEEPALIVE;
    public static final int ZERO_KEY_MATERIAL = PeerTimers.ZERO_KEY_MATERIAL;
    public static final int DROP_STAGED_PACKETS = PeerTimers.DROP_STAGED_PACKETS;
    public static final int CLEAR_ENDPOINT_SOURCE = PeerTimers.CLEAR_ENDPOINT_SOURCE;
    /** A keypair to send on appeared (handshake completed or confirmed): send staged packets. */
    public static final int SESSION_READY = 1 << 8;

    /** Bytes a transport message adds around its payload: header and tag. */
    public static final int OVERHEAD = WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE + WireGuard.AEAD_TAG_SIZE;

    private static final int HEADER = WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE;
    private static final int TAG = WireGuard.AEAD_TAG_SIZE;

    private final Device device;
    private final Handshake handshake;
    private final Key32 publicKey;
    private final PeerTimers timers;
    private final Keypairs keypairs;

    /** Every receiver index registered for this peer (handshakes and sessions); guarded by this. */
    /**
     * The receiver indexes registered for this peer (its keypairs' and its pending handshake's,
     * at most four or so), guarded by this. A small array, not a HashSet: an idle peer of a hub
     * with 100,000 of them should cost bytes, not a hash table.
     */
    private int[] ownIndexes = NO_INDEXES;
    private int ownCount;
    private static final int[] NO_INDEXES = new int[0];
    /** The index of our in-progress handshake not yet turned into keys, or 0; guarded by this. */
    private int handshakeIndex;
    private boolean retired;

    private int pendingActions;
    private volatile long lastHandshakeEpochMillis = -1;
    private volatile Object attachment;

    PeerEngine(Device device, Handshake handshake, Key32 publicKey, long seed) {
        this.device = device;
        this.handshake = handshake;
        this.publicKey = publicKey;
        this.timers = new PeerTimers(new SplittableRandom(seed));
        this.keypairs = new Keypairs(this::keypairRetired);
    }

    public Key32 publicKey() {
        return publicKey;
    }

    /** Something the owner hangs on the engine (the hub: the peer actor); null until set. */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object value) {
        attachment = value;
    }

    // ------------------------------------------------------------------ data path

    /**
     * Seals the {@code plainLength} bytes at {@code offset + 16} into a transport message at
     * {@code offset}, in place: header, payload padded with zeros to a multiple of 16 (when the
     * buffer has room; padding hides exact lengths but is optional), tag. Uses the current
     * keypair and its own counter. Returns the message length, {@link #NO_SESSION} (then the
     * engine has asked for a handshake if one may be sent now) or {@link #NO_ROOM}.
     * {@code plainLength == 0} is a keepalive.
     */
    public int seal(ByteBuffer packet, int offset, int plainLength, long now) {
        return seal(packet, offset, plainLength, Integer.MAX_VALUE, now);
    }

    /**
     * As {@link #seal(ByteBuffer, int, int, long)}, padding to a multiple of 16 but never beyond
     * {@code max(plainLength, paddingLimit)} bytes of plaintext: WireGuard pads up to its MTU and
     * not past it, so a packet already at the MTU (1,420 bytes, not a multiple of 16) grows by
     * nothing. A hub that forwards what a peer padded passes {@code paddingLimit = plainLength}.
     */
    public int seal(ByteBuffer packet, int offset, int plainLength, int paddingLimit, long now) {
        Keypair kp = keypairs.current();
        if (kp == null || !kp.canSend(now)) {
            pendingActions |= timers.handshakeWanted(now);
            return NO_SESSION;
        }
        int room = packet.limit() - offset - OVERHEAD;
        if (plainLength < 0 || plainLength > room) {
            return NO_ROOM;
        }
        int padded = Math.min(paddedLength(plainLength, paddingLimit), room);
        for (int i = offset + HEADER + plainLength, end = offset + HEADER + padded; i < end; i++) {
            packet.put(i, (byte) 0);
        }
        long counter = kp.nextSendCounter();
        if (counter == -1) { // exhausted: REJECT_AFTER_MESSAGES reached (-1 is never a real counter)
            pendingActions |= timers.handshakeWanted(now);
            return NO_SESSION;
        }
        putIntLE(packet, offset, WireGuard.MESSAGE_TRANSPORT_TYPE);
        putIntLE(packet, offset + 4, kp.remoteIndex());
        putLongLE(packet, offset + 8, counter);
        kp.seal(counter, packet, offset + HEADER, padded);
        timers.authenticatedPacketSent(now);
        if (plainLength > 0) {
            timers.dataSent(now);
        }
        pendingActions |= timers.keepKeyFreshSending(now, now - kp.age(now), kp.isInitiator(), counter + 1);
        return HEADER + padded + TAG;
    }

    /**
     * The plaintext length WireGuard sends for an IP packet of {@code length} bytes: rounded up to
     * a multiple of 16, but not beyond {@code max(length, limit)} (the MTU).
     */
    public static int paddedLength(int length, int limit) {
        int padded = (length + WireGuard.PADDING_MULTIPLE - 1) & -WireGuard.PADDING_MULTIPLE;
        return Math.min(padded, Math.max(length, limit));
    }

    /**
     * Opens the transport message of {@code length} bytes at {@code offset} in place. Returns the
     * plaintext length (the plaintext starts at {@code offset + 16}; 0 is a keepalive), or
     * {@link #MALFORMED}, {@link #UNKNOWN_INDEX}, {@link #EXPIRED}, {@link #REPLAYED},
     * {@link #BAD_TAG}. Only an authenticated, fresh message moves the replay window, confirms a
     * session or touches the timers. Whether the source address may now be taken as the peer's
     * endpoint (roaming) is the caller's decision: exactly when this returns {@code >= 0}.
     */
    public int open(ByteBuffer packet, int offset, int length, long now) {
        if (length < OVERHEAD || getIntLE(packet, offset) != WireGuard.MESSAGE_TRANSPORT_TYPE) {
            return MALFORMED;
        }
        Keypair kp = keypairs.find(getIntLE(packet, offset + 4));
        if (kp == null) {
            return UNKNOWN_INDEX;
        }
        long counter = getLongLE(packet, offset + 8);
        int n = kp.open(counter, packet, offset + HEADER, length - HEADER, now);
        if (n < 0) {
            return n;
        }
        if (keypairs.received(kp)) {
            // Key confirmation: the responder may now send on this session.
            timers.handshakeComplete(now);
            pendingActions |= SESSION_READY;
        }
        timers.authenticatedPacketReceived(now);
        if (n > 0) {
            timers.dataReceived(now);
        }
        // wireguard-go's keepKeyFreshReceiving: the age rule is about the *current* keypair and
        // only when we initiated it. A packet still arriving on the previous keypair (old by
        // definition) says nothing about whether the session we send on needs renewing.
        Keypair current = keypairs.current();
        if (current != null && current.wantsRekeyOnReceive(now)) {
            pendingActions |= timers.lastMinuteHandshakeWanted(now);
        }
        return n;
    }

    /** Seals a keepalive (an empty payload) at {@code offset}: {@link #seal} with length 0. */
    public int sealKeepalive(ByteBuffer packet, int offset, long now) {
        return seal(packet, offset, 0, now);
    }

    /** Whether there is a keypair to send on now. */
    public boolean canSend(long now) {
        Keypair kp = keypairs.current();
        return kp != null && kp.canSend(now);
    }

    // ------------------------------------------------------------------ handshakes

    /**
     * Creates a handshake initiation (148 bytes, MACs filled in) under a fresh receiver index and
     * arms the retransmission. Returns null if none can be made (the peer's key is low order, or
     * the peer was removed). Costs two X25519 operations.
     */
    public byte[] createInitiation(long now) {
        int index = newHandshakeIndex();
        if (index == 0) {
            return null;
        }
        byte[] msg;
        try {
            msg = device.noise().createInitiation(handshake, index);
        } catch (HandshakeException e) {
            return null;
        }
        timers.handshakeInitiated(now);
        return msg;
    }

    /**
     * Gives up keys that will never be installed (their owner could not be told): frees their
     * receiver index, which would otherwise stay registered for as long as the peer, and wipes
     * them. Any thread.
     */
    public void abandonSession(SessionKeys keys) {
        synchronized (this) {
            forget(keys.localIndex());
        }
        java.util.Arrays.fill(keys.sendKey(), (byte) 0);
        java.util.Arrays.fill(keys.receiveKey(), (byte) 0);
    }

    /**
     * Installs the keys of a handshake completed by {@link Device#handleInitiation} or
     * {@link Device#handleResponse} (see the class doc for the two roles). Owner thread.
     */
    public void installSession(SessionKeys keys, long now) {
        synchronized (this) {
            if (retired) {
                forget(keys.localIndex());
                return;
            }
            addOwn(keys.localIndex());
            if (handshakeIndex == keys.localIndex()) {
                handshakeIndex = 0;
            }
        }
        keypairs.install(new Keypair(keys, now));
        lastHandshakeEpochMillis = System.currentTimeMillis();
        timers.sessionDerived(now);
        if (keys.initiator()) {
            // The response was an authenticated packet received; the handshake is done.
            timers.authenticatedPacketReceived(now);
            timers.handshakeComplete(now);
            pendingActions |= SESSION_READY | SEND_KEEPALIVE;
        } else {
            // Our response is on its way: an authenticated packet sent.
            timers.authenticatedPacketSent(now);
        }
    }

    /** The keypair slots (tests look at the keypairs themselves). */
    Keypairs keypairs() {
        return keypairs;
    }

    /** The Noise state of this peer (locks itself; {@link Device} uses it from any thread). */
    Handshake handshake() {
        return handshake;
    }

    // ------------------------------------------------------------------ timers and actions

    /** Fires the timers due at {@code now}; returns their actions plus any pending ones. */
    public int advanceTimers(long now) {
        int actions = timers.advance(now) | pendingActions;
        pendingActions = 0;
        if ((actions & ZERO_KEY_MATERIAL) != 0) {
            zeroKeyMaterial();
        }
        return actions;
    }

    /**
     * ZERO_KEY_MATERIAL (wireguard-go's {@code ZeroAndFlushAll}): overwrites every keypair's keys
     * and drops them, frees the index of a pending handshake and wipes the Noise state, so a
     * response arriving now finds no index and no state to complete. Owner thread: the keys are
     * wiped in place, which must not race a seal.
     */
    private void zeroKeyMaterial() {
        keypairs.clearAndZero();
        synchronized (this) {
            if (handshakeIndex != 0) {
                forget(handshakeIndex);
                handshakeIndex = 0;
            }
        }
        handshake.zeroKeyMaterial();
    }

    /** The actions data-path calls asked for since the last poll; clears them. */
    public int pollActions() {
        int actions = pendingActions;
        pendingActions = 0;
        return actions;
    }

    /** Asks for a handshake now (subject to the REKEY_TIMEOUT spacing); see {@link #pollActions}. */
    public void wantHandshake(long now) {
        pendingActions |= timers.handshakeWanted(now);
    }

    /** Sets the persistent keepalive (0 = off); turning it on asks for a keepalive at once. */
    public void setPersistentKeepalive(int seconds, long now) {
        pendingActions |= timers.setPersistentKeepalive(now, Duration.ofSeconds(seconds));
    }

    public boolean hasDeadline() {
        return timers.hasDeadline();
    }

    /** The time to call {@link #advanceTimers} next; only valid when {@link #hasDeadline()}. */
    public long nextDeadline() {
        return timers.nextDeadline();
    }

    /** Wall-clock time of the last session installed, if any. */
    public java.util.Optional<Instant> lastHandshake() {
        long t = lastHandshakeEpochMillis;
        return t < 0 ? java.util.Optional.empty() : java.util.Optional.of(Instant.ofEpochMilli(t));
    }

    /**
     * Ends this peer: frees every receiver index (so messages to them find no peer), drops the
     * keys and stops the timers. Called by {@link Device#removePeer}.
     */
    /**
     * Changes the peer's preshared key (null: none) for its next handshakes; its session and its
     * anti-replay state (the last TAI64N timestamp, the initiation flood guard) stay, as with
     * {@code wg set ... preshared-key}. Any thread.
     */
    public void setPresharedKey(Key32 psk) {
        handshake.setPresharedKey(psk == null ? null : psk.toBytes());
    }

    /**
     * Zeroes every key this engine holds or dropped ({@link Device#removePeer} drops keys without
     * wiping them) and the Noise state: call it from the thread that seals and opens, when the
     * peer is done (the hub's peer actor does as it retires, and when the hub stops).
     */
    public void zeroAllKeys() {
        keypairs.zeroCleared();
        zeroKeyMaterial();
    }

    void retire() {
        synchronized (this) {
            retired = true;
            for (int k = 0; k < ownCount; k++) {
                device.indexes().remove(ownIndexes[k], this);
            }
            ownCount = 0;
            handshakeIndex = 0;
        }
        // Keys are dropped, not wiped: the owner may be sealing on one at this moment; it wipes
        // them later (zeroRetiredKeys). The Noise state is safe to wipe from here (Noise works
        // on copies under the handshake's lock).
        keypairs.clear();
        handshake.zeroKeyMaterial();
        timers.stop();
    }

    public synchronized boolean isRetired() {
        return retired;
    }

    // ------------------------------------------------------------------ index bookkeeping

    /**
     * Registers a fresh receiver index for a new handshake of ours (initiation or response) and
     * frees the one of the handshake it supersedes, unless that one already yielded keys. Returns
     * 0 if the peer was removed.
     */
    synchronized int newHandshakeIndex() {
        if (retired) {
            return 0;
        }
        if (handshakeIndex != 0) {
            forget(handshakeIndex);
        }
        handshakeIndex = device.indexes().register(this);
        addOwn(handshakeIndex);
        return handshakeIndex;
    }

    /**
     * A response of ours completed the handshake under {@code index}: the index now belongs to
     * the keys on their way to {@link #installSession}, so a newer handshake must not free it.
     */
    synchronized void handshakeYieldedKeys(int index) {
        if (handshakeIndex == index) {
            handshakeIndex = 0;
        }
    }

    private void keypairRetired(Keypair kp) {
        synchronized (this) {
            forget(kp.localIndex());
        }
    }

    private void forget(int index) {
        for (int k = 0; k < ownCount; k++) {
            if (ownIndexes[k] == index) {
                ownIndexes[k] = ownIndexes[--ownCount];
                break;
            }
        }
        device.indexes().remove(index, this);
    }

    private void addOwn(int index) {
        if (ownCount == ownIndexes.length) {
            ownIndexes = java.util.Arrays.copyOf(ownIndexes, Math.max(4, 2 * ownCount));
        }
        ownIndexes[ownCount++] = index;
    }

    // ------------------------------------------------------------------ little-endian access

    static int getIntLE(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
    }

    static long getLongLE(ByteBuffer b, int at) {
        long v = b.getLong(at);
        return b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v);
    }

    static void putIntLE(ByteBuffer b, int at, int v) {
        b.putInt(at, b.order() == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v));
    }

    static void putLongLE(ByteBuffer b, int at, long v) {
        b.putLong(at, b.order() == ByteOrder.LITTLE_ENDIAN ? v : Long.reverseBytes(v));
    }

    @Override
    public String toString() {
        return "PeerEngine[" + publicKey + "]";
    }
}
