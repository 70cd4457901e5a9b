package io.switchyard.router.hub;

import io.switchyard.io.SendBatch;
import io.switchyard.io.SendRefusal;
import io.switchyard.io.SockAddr;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.TransportException;
import io.switchyard.router.DropReason;
import io.switchyard.router.HubCounter;
import io.switchyard.zerocopy.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The send side of the shared listen socket. A {@link UdpSocket} allows one sending thread at a
 * time, and many peer actors (and the handshake workers) send through the listen socket, so every
 * send takes this lock; inside it one reusable {@link SendBatch} carries the datagrams, so a peer
 * costs no native send memory of its own. A peer's outbound burst goes as GSO trains (one
 * {@code sendmsg} per train of equal-size datagrams, the last may be shorter, at most 64 and
 * 65,507 bytes) when GSO is on, else as {@code sendmmsg} batches. Sends copy (no MSG_ZEROCOPY
 * yet), so the caller may release the buffers when a call returns.
 *
 * <p>A full socket buffer parks the sender until writable (inside the lock: the other senders
 * wait their turn, which is the backpressure we want). Counters are written under the lock.
 */
final class Transmitter implements AutoCloseable {
    private final UdpSocket socket;
    private final boolean gso;
    private final boolean mapToIpv6;
    private final ReentrantLock lock = new ReentrantLock();
    private final Arena arena = Arena.ofShared();
    private final SendBatch batch = new SendBatch(Trains.MAX_SEGMENTS);
    private final MemorySegment scratch = arena.allocate(256, 8);
    private final SockAddr scratchAddress = SockAddr.allocate();
    final Counters counters = new Counters();

    Transmitter(UdpSocket socket, boolean gso) {
        this.socket = socket;
        this.gso = gso;
        this.mapToIpv6 = socket.localAddress().getAddress() instanceof java.net.Inet6Address;
    }

    /** Whether destinations must be written as IPv4-mapped IPv6 (a dual-stack socket). */
    boolean mapToIpv6() {
        return mapToIpv6;
    }

    /**
     * Sends {@code buffers[from..to)} (their windows) to {@code destination} ({@code null} on a
     * connected socket), in order, and says what became of each: {@code outcome[k]} is null for a
     * datagram that left, else why it did not (the kernel refused it: {@link #reasonFor}; or the
     * socket closed or failed first: SEND_FAILED). Returns how many left.
     */
    int send(PacketBuffer[] buffers, int from, int to, SockAddr destination, DropReason[] outcome) {
        int sent = 0;
        int i = from;
        lock.lock();
        try {
            while (i < to) {
                int end = gso ? Trains.end(buffers, i, to, Trains.MAX_SEGMENTS) : Math.min(to, i + Trains.MAX_SEGMENTS);
                batch.clear();
                for (int k = i; k < end; k++) {
                    PacketBuffer b = buffers[k];
                    batch.add(b.slot(), b.offset(), b.length(), destination);
                }
                while (batch.remaining() > 0) {
                    int k = gso ? socket.trySendTrain(batch) : socket.trySend(batch);
                    if (k == 0) {
                        socket.awaitWritable();
                    }
                }
                long bytes = 0;
                for (int k = i; k < end; k++) {
                    SendRefusal r = batch.refused() == 0 ? null : batch.refusal(k - i);
                    outcome[k] = r == null ? null : reasonFor(r);
                    if (r == null) {
                        sent++;
                        bytes += buffers[k].length();
                    }
                }
                counters.add(HubCounter.TX_PACKETS, (end - i) - batch.refused());
                counters.add(HubCounter.TX_BYTES, bytes);
                i = end;
            }
        } catch (TransportException e) {
            // Closed or failed socket: this train and the rest did not leave.
            for (int k = i; k < to; k++) {
                outcome[k] = DropReason.SEND_FAILED;
            }
        } finally {
            batch.clear();
            lock.unlock();
        }
        return sent;
    }

    /** The drop reason of a datagram the kernel refused. */
    static DropReason reasonFor(SendRefusal refusal) {
        return switch (refusal) {
            case TOO_BIG -> DropReason.SEND_TOO_BIG;
            case UNREACHABLE -> DropReason.SEND_UNREACHABLE;
            case DENIED -> DropReason.SEND_DENIED;
        };
    }

    /** Sends one small message (handshake, cookie reply) held in a byte array. */
    boolean sendBytes(byte[] message, SockAddr destination) {
        lock.lock();
        try {
            return sendScratch(message, destination);
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #sendBytes(byte[], SockAddr)} to an address given as a Java object. */
    boolean sendBytes(byte[] message, InetSocketAddress destination) {
        lock.lock();
        try {
            scratchAddress.set(destination, mapToIpv6);
            return sendScratch(message, scratchAddress);
        } finally {
            lock.unlock();
        }
    }

    private boolean sendScratch(byte[] message, SockAddr destination) {
        if (message.length > scratch.byteSize()) {
            throw new IllegalArgumentException("message of " + message.length + " bytes is not a handshake message");
        }
        MemorySegment.copy(message, 0, scratch, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, message.length);
        batch.clear();
        batch.add(scratch, 0, message.length, destination);
        try {
            while (batch.remaining() > 0) {
                if (socket.trySend(batch) == 0) {
                    socket.awaitWritable();
                }
            }
            if (batch.refused() > 0) {
                return false;
            }
            counters.inc(HubCounter.TX_PACKETS);
            counters.add(HubCounter.TX_BYTES, message.length);
            return true;
        } catch (TransportException e) {
            return false;
        } finally {
            batch.clear();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            batch.close();
            arena.close();
        } finally {
            lock.unlock();
        }
    }
}
