package io.switchyard.zerocopy;

import io.switchyard.io.Datagrams;
import io.switchyard.io.ErrorQueueSink;
import io.switchyard.io.SendBatch;
import io.switchyard.io.SendRefusal;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;

/**
 * The product {@link ZerocopyChannel}: a connected {@code io-native} {@link UdpSocket} opened
 * with {@code zeroCopy(true)}, mapped onto the seam.
 *
 * <ul>
 *   <li>{@link #send}: the batch's buffers go into a preallocated {@link SendBatch} (no
 *       allocation); with {@code zerocopy} one {@link UdpSocket#trySendZeroCopy} (one
 *       {@code sendmsg}, GSO train when more than one buffer), otherwise
 *       {@link UdpSocket#trySendTrain}. If the socket sent a zerocopy request by copy (GSO off
 *       or downgraded: its {@link UdpSocket#zeroCopySends()} did not move) the result is
 *       {@link SendStatus#SENT_BY_COPY}, so the tracker's id numbering stays the kernel's; so
 *       is a batch of more than {@link #MAX_ZEROCOPY_BUFFERS} buffers, sent by copy at once.
 *       A batch made by {@link PacketBatch#addTrain} (one contiguous buffer, a segment size)
 *       goes as one train through {@link SendBatch#addTrain}. A copying send that the kernel
 *       takes only in part (datagram by datagram after a GSO downgrade, send buffer filling
 *       up) is {@link SendStatus#SENT_IN_PART}, with {@link #unsentDatagrams()} for the
 *       tracker to count: nothing is lost uncounted.</li>
 *   <li>{@link #drainErrorQueue}: {@link UdpSocket#readErrorQueue} with a sink held in a field.</li>
 *   <li>Readiness: {@link #awaitErrorQueue()} parks on the io-native poller until EPOLLERR;
 *       see the package documentation for the loop that feeds the owning actor.</li>
 * </ul>
 * When the socket could not be opened with SO_ZEROCOPY (old kernel, NIO transport) the channel
 * opens it without, and {@link #enableZerocopy()} says false: the tracker then only copies.
 *
 * <p>Threading: as the seam, one owner; {@link #awaitErrorQueue()} may run on another thread.
 */
public final class UdpZerocopyChannel implements ZerocopyChannel, AutoCloseable {
    /**
     * The most buffers one zerocopy send may carry: the kernel pins each buffer's pages as
     * skb frags, at most MAX_SKB_FRAGS (17 by default) per skb, and refuses a bigger zerocopy
     * train with EMSGSIZE (measured: 17 pooled 2 KiB slots go out, 18 are refused, which
     * io-native counts as dropped datagrams). Bigger batches are sent by copy instead.
     */
    public static final int MAX_ZEROCOPY_BUFFERS = 17;

    private final UdpSocket socket;
    private final boolean zerocopy;
    private final SendBatch sendBatch;
    private final ErrorQueueSink forward = this::forward;
    private CompletionSink sink;
    private int entries;
    private int unsent;
    /** Refusals of the last send, by datagram (null: not refused); all null when {@link #refused} is 0. */
    private final SendRefusal[] refusals;
    private int refused;
    private boolean closed;

    /** Segments of the largest GSO train (io-native's limit): room for a train from one buffer. */
    private static final int MAX_TRAIN_SEGMENTS = 64;

    private UdpZerocopyChannel(UdpSocket socket, boolean zerocopy, int maxBatch) {
        this.socket = socket;
        this.zerocopy = zerocopy;
        this.sendBatch = new SendBatch(Math.max(maxBatch, MAX_TRAIN_SEGMENTS));
        this.refusals = new SendRefusal[sendBatch.capacity()];
    }

    /**
     * Opens a socket with {@code options} plus {@code zeroCopy(true)} (it must name a peer with
     * {@code connect}); if the kernel refuses SO_ZEROCOPY, opens it again without.
     *
     * @param maxBatch the largest {@link PacketBatch} that will be sent (at most 64 for a GSO train)
     */
    public static UdpZerocopyChannel open(UdpOptions options, int maxBatch) throws TransportException {
        UdpSocket s;
        try {
            s = Datagrams.open(options.zeroCopy(true));
        } catch (TransportException refused) {
            return new UdpZerocopyChannel(Datagrams.open(options.zeroCopy(false)), false, maxBatch);
        }
        // The NIO transport ignores zeroCopy(true) and has no error queue; io_uring maps its
        // SENDMSG_ZC notifications onto the same error-queue records.
        boolean native_ = "linux-native".equals(s.transportName()) || "linux-uring".equals(s.transportName());
        return new UdpZerocopyChannel(s, native_, maxBatch);
    }

    /** The socket (for receiving, counters, addresses). Do not send zerocopy on it directly. */
    public UdpSocket socket() {
        return socket;
    }

    @Override
    public boolean enableZerocopy() {
        return zerocopy; // SO_ZEROCOPY was set when the socket was opened.
    }

    @Override
    public SendStatus send(PacketBatch batch, boolean zerocopy) {
        unsent = 0;
        if (refused > 0) {
            java.util.Arrays.fill(refusals, null);
            refused = 0;
        }
        if (!socket.isOpen()) {
            return SendStatus.FAILED; // the send batch's memory went with the socket
        }
        sendBatch.clear();
        int segment = batch.segmentSize();
        if (segment > 0) {
            PacketBuffer b = batch.get(0);
            if (sendBatch.addTrain(b.slot(), b.offset(), b.length(), segment, null) == 0) {
                return SendStatus.FAILED; // more segments than any train may carry
            }
        } else {
            for (int i = 0; i < batch.size(); i++) {
                PacketBuffer b = batch.get(i);
                sendBatch.add(b.slot(), b.offset(), b.length(), null);
            }
        }
        try {
            if (zerocopy && this.zerocopy && batch.size() <= MAX_ZEROCOPY_BUFFERS) {
                long before = socket.zeroCopySends();
                int r = socket.trySendZeroCopy(sendBatch);
                if (r == UdpSocket.ZEROCOPY_NOBUFS) {
                    return SendStatus.NO_BUFFERS;
                }
                if (r == 0) {
                    return SendStatus.WOULD_BLOCK;
                }
                if (socket.zeroCopySends() != before) {
                    return SendStatus.SENT; // one sendmsg: all or nothing
                }
                return copied(SendStatus.SENT_BY_COPY);
            }
            int r = socket.trySendTrain(sendBatch);
            return r == 0 ? SendStatus.WOULD_BLOCK : copied(zerocopy ? SendStatus.SENT_BY_COPY : SendStatus.SENT);
        } catch (TransportException e) {
            return SendStatus.FAILED;
        } catch (IllegalArgumentException badTrain) {
            return SendStatus.FAILED;
        } finally {
            if (sendBatch.refused() > 0) {
                refused = sendBatch.refused();
                for (int i = 0; i < sendBatch.size(); i++) {
                    refusals[i] = sendBatch.refusal(i);
                }
            }
            sendBatch.clear(); // drop the references to pooled memory
        }
    }

    /**
     * A copying send went out datagram by datagram (GSO off or just downgraded) and may have
     * stopped at a full send buffer: report the rest instead of calling it sent.
     */
    private SendStatus copied(SendStatus whole) {
        unsent = sendBatch.remaining();
        return unsent == 0 ? whole : SendStatus.SENT_IN_PART;
    }

    @Override
    public int unsentDatagrams() {
        return unsent;
    }

    @Override
    public SendRefusal refusal(int i) {
        return refused == 0 ? null : refusals[i];
    }

    @Override
    public int drainErrorQueue(CompletionSink sink) {
        this.sink = sink;
        entries = 0;
        try {
            socket.readErrorQueue(forward);
        } catch (TransportException e) {
            throw new IllegalStateException("error queue of a broken socket", e);
        } finally {
            this.sink = null;
        }
        return entries;
    }

    private void forward(int origin, int errno, int code, int info, int data) {
        entries++;
        sink.onErrorQueueEntry(origin, errno, code, info, data);
    }

    /**
     * Parks until the error queue may hold records (EPOLLERR through the io-native poller).
     * May return spuriously; throws {@link SocketClosedException} once the socket is closed.
     */
    public void awaitErrorQueue() throws TransportException {
        socket.awaitErrorQueue();
    }

    /** Closes the socket (idempotent). Call {@link ZerocopyCompletionTracker#socketClosed()} next. */
    @Override
    public void close() {
        socket.close();
        if (!closed) {
            closed = true;
            sendBatch.close(); // not idempotent itself
        }
    }
}
