package io.switchyard.io;

import io.switchyard.io.errors.TransportException;
import java.net.InetSocketAddress;

/**
 * A UDP socket with batch receive and batch send, for virtual threads.
 *
 * <p>Calls named {@code try...} never block: they do what the kernel can do now and return
 * (0 means "nothing now"). The {@code await...} calls park the calling thread (a virtual thread
 * parks without pinning its carrier) until the socket may be ready, and may return spuriously:
 * callers loop. The blocking conveniences {@link #receive} and {@link #send} are those loops.
 *
 * <p>Threading: one thread receives and one thread sends at a time (each with its own batch);
 * {@link #close()} may come from any thread and wakes waiters with {@link io.switchyard.io.errors.SocketClosedException SocketClosedException}.
 *
 * <p>Errors: a datagram that cannot be delivered because of where it was going (ICMP
 * unreachable, no route, too big) is dropped and counted ({@link IoCounter#SEND_DROPPED},
 * {@link IoCounter#RECEIVE_ERRORS}); anything else is a {@link TransportException} naming the call.
 */
public interface UdpSocket extends AutoCloseable {

    /** Which implementation this is: "linux-native" or "nio". */
    String transportName();

    /** The bound local address. */
    InetSocketAddress localAddress();

    /** The connected peer, or null. */
    InetSocketAddress remoteAddress();

    /**
     * Receives what is queued now, up to the batch's capacity, into {@code batch} (cleared first).
     * Returns the number of datagrams (after GRO split), 0 if none.
     */
    int tryReceive(RecvBatch batch) throws TransportException;

    /** Waits until at least one datagram was received; returns the count. */
    default int receive(RecvBatch batch) throws TransportException {
        while (true) {
            int n = tryReceive(batch);
            if (n > 0) {
                return n;
            }
            awaitReadable();
        }
    }

    /** Parks until the socket may be readable (or throws if it is closed). May return spuriously. */
    void awaitReadable() throws TransportException;

    /**
     * Stops the kernel queueing datagrams from the connected peer on this socket, keeping the
     * ones queued already for {@link #tryReceive}: the first step of closing a connected socket
     * that shares its port with an unconnected one ({@code SO_REUSEPORT}) without losing what
     * arrives during the last drain. The Linux transports re-connect the socket to its own port
     * on loopback, an address nothing sends from, so the peer's next datagrams go to the
     * unconnected socket; nothing may be sent on the socket after this. An unconnected socket,
     * and the NIO and in-memory transports, do nothing.
     *
     * @throws TransportException if the kernel refused the re-connect (no loopback address of
     *     the peer's family); the socket is as it was
     */
    default void stopReceiving() throws TransportException {
    }

    /**
     * Makes a thread parked in {@link #awaitReadable()} (or the next one to call it) return at
     * once, spuriously, without closing anything: how an owner gets a receive loop to look at
     * its mailbox (for example to drain the socket before closing it, so that datagrams already
     * queued are not lost with it). Any thread.
     */
    void wakeReceiver();

    /** Parks until the socket may be writable. May return spuriously. */
    void awaitWritable() throws TransportException;

    /**
     * Sends the batch's remaining datagrams as far as the kernel takes them now (one
     * {@code sendmmsg} on Linux). Returns how many were consumed (sent, or dropped with a counted
     * per-datagram error); 0 when the send buffer is full.
     */
    int trySend(SendBatch batch) throws TransportException;

    /** Sends all remaining datagrams of the batch, waiting for buffer space as needed. */
    default void send(SendBatch batch) throws TransportException {
        while (batch.remaining() > 0) {
            if (trySend(batch) == 0) {
                awaitWritable();
            }
        }
    }

    /**
     * Sends the batch's remaining datagrams as one GSO train: all to the destination of the first
     * remaining one, every datagram the length of the first except the last, which may be
     * shorter; at most 64 datagrams and 65,507 bytes. Where GSO is unavailable or turned off
     * (including a runtime downgrade after EIO/EINVAL, which resends the same train without GSO)
     * the datagrams go out one by one through {@link #trySend}. Returns datagrams consumed.
     *
     * @throws IllegalArgumentException if the datagrams do not form a valid train
     */
    int trySendTrain(SendBatch batch) throws TransportException;

    /** Sends the whole train, waiting for buffer space as needed. */
    default void sendTrain(SendBatch batch) throws TransportException {
        while (batch.remaining() > 0) {
            if (trySendTrain(batch) == 0) {
                awaitWritable();
            }
        }
    }

    /** {@link #trySendZeroCopy} result: the kernel refused the zerocopy send (ENOBUFS, optmem limit). */
    int ZEROCOPY_NOBUFS = -1;

    /**
     * Sends the batch's remaining datagrams as ONE {@code sendmsg} with MSG_ZEROCOPY: a single
     * datagram, or a GSO train (same rules as {@link #trySendTrain}). Each successful zerocopy
     * send takes the next 32-bit completion id, and {@link #zeroCopySends()} goes up by one; its
     * completion arrives on the error queue ({@link #readErrorQueue}). Where zerocopy cannot be
     * used for this batch (several datagrams with GSO off or downgraded) the datagrams are sent
     * by copy and {@code zeroCopySends()} does not change: the buffers are free at once.
     *
     * @return datagrams consumed, 0 when the send buffer is full, or {@link #ZEROCOPY_NOBUFS}
     *         (nothing sent; send again without zerocopy)
     * @throws IllegalStateException if the socket was not opened with {@code zeroCopy(true)}
     */
    default int trySendZeroCopy(SendBatch batch) throws TransportException {
        throw new IllegalStateException(transportName() + " transport has no MSG_ZEROCOPY");
    }

    /** Zerocopy sends accepted so far; the id of the next one is this value mod 2^32. */
    default long zeroCopySends() {
        return 0;
    }

    /**
     * Reads the error queue without blocking, passing each record to {@code sink}; returns the
     * number of records. One thread at a time. 0 on transports without an error queue.
     */
    default int readErrorQueue(ErrorQueueSink sink) throws TransportException {
        return 0;
    }

    /** Parks until the error queue may have records (EPOLLERR). May return spuriously. */
    default void awaitErrorQueue() throws TransportException {
        throw new IllegalStateException(transportName() + " transport has no error queue");
    }

    /** True while GSO sends are in use on this socket (false after a downgrade); false where there is no GSO. */
    default boolean gsoEnabled() {
        return false;
    }

    /** True if this socket receives GRO-coalesced trains (and splits them); false where there is no GRO. */
    default boolean groEnabled() {
        return false;
    }

    /** This socket's counters. */
    IoCounters counters();

    /** Closes the socket; waiting threads wake with {@link io.switchyard.io.errors.SocketClosedException SocketClosedException}. Idempotent. */
    @Override
    void close();

    boolean isOpen();
}
