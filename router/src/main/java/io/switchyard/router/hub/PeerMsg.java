package io.switchyard.router.hub;

import io.switchyard.config.PeerConfig;
import io.switchyard.wireguard.noise.SessionKeys;
import io.switchyard.zerocopy.PacketBuffer;
import java.net.InetSocketAddress;

/** What a {@link PeerActor} is told. Batches carry pooled buffers whose ownership moves with them. */
sealed interface PeerMsg {

    /**
     * Transport messages received from this peer (router actor to peer actor), to open. Each
     * buffer's window is the datagram; its source is in the hub's per-buffer source table.
     */
    final class Inbound extends Batch {
        Inbound(int capacity) {
            super(capacity);
        }
    }

    /**
     * Decrypted packets for this peer (sending peer actor to destination peer actor), to seal.
     * Each buffer's window starts at the 16-byte header room; the IP packet follows it and the
     * window's length is 16 + the IP packet's length.
     */
    final class Outbound extends Batch {
        /** The sender: the peer whose actor routed these packets, or the hub's own endpoint. */
        final PeerHandle from;

        Outbound(int capacity, PeerHandle from) {
            super(capacity);
            this.from = from;
        }
    }

    /** A bounded batch of pooled buffers whose ownership moves with the message. */
    abstract sealed class Batch implements PeerMsg permits Inbound, Outbound {
        final PacketBuffer[] buffers;
        int size;

        Batch(int capacity) {
            buffers = new PacketBuffer[capacity];
        }

        boolean add(PacketBuffer b) {
            if (size == buffers.length) {
                return false;
            }
            buffers[size++] = b;
            return true;
        }

        /** Releases every buffer (a batch that could not be delivered); returns how many. */
        int releaseAll() {
            for (int k = 0; k < size; k++) {
                buffers[k].release();
                buffers[k] = null;
            }
            return size;
        }
    }

    /** A handshake worker completed a handshake for this peer. */
    record HandshakeDone(SessionKeys keys, InetSocketAddress source, byte[] response) implements PeerMsg {}

    /** The peer's timers may be due. */
    record Tick() implements PeerMsg {}

    /** REJECT_AFTER_TIME after the last handshake: is the peer down? */
    record SessionCheck() implements PeerMsg {}

    /** The peer's configuration changed (endpoint, persistent keepalive, AllowedIPs). */
    record Update(PeerConfig config) implements PeerMsg {}

    /** The peer was removed: drop what is staged, refuse what arrives, then stop. */
    record Retire() implements PeerMsg {}

    /** The peer's connected socket may have zerocopy completions to read (from its watcher). */
    final class ErrorQueueReadable implements PeerMsg {}

    /** Stop now (sent by the actor to itself after retiring). */
    record StopNow() implements PeerMsg {}

    Tick TICK = new Tick();
    SessionCheck SESSION_CHECK = new SessionCheck();
    ErrorQueueReadable ERROR_QUEUE_READABLE = new ErrorQueueReadable();
}
