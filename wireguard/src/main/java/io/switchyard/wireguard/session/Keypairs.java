package io.switchyard.wireguard.session;

import java.util.function.Consumer;

/**
 * A peer's three keypair slots and the key-confirmation rule (wireguard-go's
 * {@code BeginSymmetricSession} and {@code ReceivedWithKeypair}).
 *
 * <ul>
 *   <li>An initiator's new keypair becomes {@code current} at once: the response proved the
 *       responder has it. The old current (or an unconfirmed next) becomes {@code previous}, so
 *       packets still in flight on it open.</li>
 *   <li>A responder's new keypair waits in {@code next}: the responder must not send on it until
 *       the initiator has shown it holds the keys, by the first data message that opens with it.
 *       {@link #received} then rotates next to current and current to previous.</li>
 * </ul>
 * Keypairs pushed out of every slot go to the {@code retired} callback (to free their index)
 * and are zeroed at once: {@link #install} and {@link #received} run on the thread that seals
 * and opens, so no other use of the keys is in flight. Keypairs dropped by {@link #clear} (a
 * peer removed from another thread) are zeroed by that thread later ({@link #zeroCleared}).
 * Thread-safe (synchronized; a handful of field writes per handshake or first packet).
 */
public final class Keypairs {
    private final Consumer<Keypair> retired;
    private Keypair previous;
    private Keypair current;
    private Keypair next;
    /** Dropped by {@link #clear} from another thread: zeroed by the owner in {@link #zeroCleared}. */
    private final java.util.ArrayList<Keypair> cleared = new java.util.ArrayList<>(0);

    public Keypairs(Consumer<Keypair> retired) {
        this.retired = retired;
    }

    /** Installs the keypair of a handshake that just completed on this side. */
    public synchronized void install(Keypair keypair) {
        if (keypair.isInitiator()) {
            if (next != null) {
                retire(previous);
                previous = next;
                next = null;
                retire(current);
            } else {
                retire(previous);
                previous = current;
            }
            current = keypair;
        } else {
            retire(next);
            next = keypair;
            retire(previous);
            previous = null;
        }
    }

    /**
     * Notes that a data message opened with {@code keypair}. Returns {@code true} if that
     * confirmed it (it was {@code next} and is now {@code current}).
     */
    public synchronized boolean received(Keypair keypair) {
        if (keypair != next) {
            return false;
        }
        retire(previous);
        previous = current;
        current = next;
        next = null;
        return true;
    }

    /** The keypair to send on, or null if there is none yet (a responder before confirmation). */
    public synchronized Keypair current() {
        return current;
    }

    public synchronized Keypair previous() {
        return previous;
    }

    public synchronized Keypair next() {
        return next;
    }

    /**
     * The keypair in any slot whose local (receiver) index is {@code localIndex}, or null: how a
     * transport message finds its session with one lock and at most three compares.
     */
    public synchronized Keypair find(int localIndex) {
        if (current != null && current.localIndex() == localIndex) {
            return current;
        }
        if (next != null && next.localIndex() == localIndex) {
            return next;
        }
        if (previous != null && previous.localIndex() == localIndex) {
            return previous;
        }
        return null;
    }

    /**
     * Drops every keypair without touching their keys (a peer removed from another thread, whose
     * owner may be sealing on one right now; the keys go with the garbage).
     */
    public synchronized void clear() {
        for (Keypair k : new Keypair[] {previous, current, next}) {
            if (k != null) {
                retired.accept(k);
                cleared.add(k);
            }
        }
        previous = current = next = null;
    }

    /** Zeroes the keypairs {@link #clear} dropped; only the thread that seals and opens may call this. */
    public synchronized void zeroCleared() {
        for (Keypair k : cleared) {
            k.destroy();
        }
        cleared.clear();
    }

    /**
     * Drops every keypair and overwrites their keys with zeros: the sessions are dead (3 x
     * REJECT_AFTER_TIME after the last one was derived). Only the thread that seals and opens
     * may call this (see {@link Keypair#destroy()}).
     */
    public synchronized void clearAndZero() {
        for (Keypair k : new Keypair[] {previous, current, next}) {
            if (k != null) {
                k.destroy();
            }
        }
        clear();
        zeroCleared();
    }

    /** A keypair pushed out of its slot by its owner's thread: its index freed, its keys zeroed. */
    private void retire(Keypair k) {
        if (k != null) {
            retired.accept(k);
            k.destroy();
        }
    }
}
