package io.switchyard.io;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.linux.Readiness;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * The portable transport on a non-blocking {@link DatagramChannel}: one {@code receive} or
 * {@code send} per datagram, readiness from {@link NioPoller}. It is the fallback where the
 * native path is unavailable and the baseline in benchmarks.
 *
 * <p>Differences from the native transport, all documented: no GSO/GRO (a train goes out datagram
 * by datagram), no kernel drop counter, and truncation is inferred: a datagram that fills its
 * whole slot is counted as truncated, so give NIO slots one byte more than the largest datagram.
 * It allocates per datagram (the JDK returns a new source address object, and sends need a
 * ByteBuffer view of the caller's buffer).
 */
final class NioUdpSocket implements UdpSocket {
    private final DatagramChannel channel;
    private final NioPoller poller;
    private final SelectionKey key;
    private final Readiness readiness = Readiness.standalone();
    private final IoCounters counters = new IoCounters();
    /** The receiving thread's per-call tally. */
    private final ReceiveTally tally = new ReceiveTally(false, false);
    private final InetSocketAddress local;
    private final InetSocketAddress remote;

    private NioUdpSocket(DatagramChannel channel, NioPoller poller, InetSocketAddress remote) throws IOException {
        this.channel = channel;
        this.poller = poller;
        this.remote = remote;
        this.local = (InetSocketAddress) channel.getLocalAddress();
        this.key = poller.register(channel, readiness);
    }

    static NioUdpSocket open(UdpOptions o) throws TransportException {
        if (o.zeroCopy) {
            throw new TransportException("MSG_ZEROCOPY needs the native transport", "open", "unsupported");
        }
        if (o.mark != 0) {
            // The JDK has no SO_MARK option; sending unmarked would bypass the operator's
            // routing rules (and, with wg-quick's rules, loop packets back into a tunnel).
            throw new TransportException("SO_MARK 0x" + Integer.toUnsignedString(o.mark, 16)
                    + " (FwMark) needs the native transport; the NIO transport cannot set it",
                    "setsockopt SO_MARK", "unsupported");
        }
        DatagramChannel ch = null;
        try {
            ch = o.bind.getAddress() instanceof Inet4Address
                    ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
            if (o.reusePort) {
                ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (o.receiveBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, o.receiveBuffer);
            }
            if (o.sendBuffer > 0) {
                ch.setOption(StandardSocketOptions.SO_SNDBUF, o.sendBuffer);
            }
            ch.bind(o.bind);
            if (o.connect != null) {
                ch.connect(o.connect);
            }
            ch.configureBlocking(false);
            return new NioUdpSocket(ch, NioPoller.instance(), o.connect);
        } catch (IOException | UnsupportedOperationException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing; the first error is the one to report
                }
            }
            throw new TransportException("open NIO socket: " + e, "open", e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public String transportName() {
        return "nio";
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public int tryReceive(RecvBatch batch) throws TransportException {
        batch.clear();
        int slot = 0;
        ReceiveTally t = tally;
        t.start();
        try {
            while (slot < batch.limit) {
                ByteBuffer view = batch.view(slot);
                SocketAddress from;
                try {
                    from = channel.receive(view);
                } catch (PortUnreachableException e) {
                    t.errors++;
                    continue;
                }
                if (from == null) {
                    break;
                }
                int len = view.position();
                if (len == view.capacity()) {
                    t.truncated++;
                    continue;
                }
                SockAddr.encode((InetSocketAddress) from, batch.names,
                        io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE * slot, false);
                t.add(batch, slot, 0, len, 0);
                slot++;
            }
        } catch (ClosedChannelException e) {
            throw new SocketClosedException("receive");
        } catch (IOException e) {
            throw new TransportException("receive: " + e.getMessage(), "receive", e.getClass().getSimpleName(), e);
        } finally {
            t.finish(batch, counters);
        }
        return batch.count;
    }

    @Override
    public void wakeReceiver() {
        readiness.signalBits(Readiness.READ);
    }

    @Override
    public void awaitReadable() throws TransportException {
        poller.await(key, readiness, SelectionKey.OP_READ, Readiness.READ, "receive");
    }

    @Override
    public void awaitWritable() throws TransportException {
        poller.await(key, readiness, SelectionKey.OP_WRITE, Readiness.WRITE, "send");
    }

    @Override
    public int trySend(SendBatch batch) throws TransportException {
        int consumed = 0;
        int sent = 0;
        boolean retriedRefused = false;
        try {
            while (batch.sent < batch.size) {
                int i = batch.sent;
                ByteBuffer bb = batch.buffers[i].asSlice(batch.offsets[i], batch.lengths[i]).asByteBuffer();
                SockAddr dest = batch.destinations[i];
                int w;
                try {
                    w = dest == null ? channel.write(bb) : channel.send(bb, dest.toInetSocketAddress());
                } catch (PortUnreachableException e) {
                    if (!retriedRefused) {
                        retriedRefused = true;
                        counters.add(IoCounter.RECEIVE_ERRORS, 1);
                        continue;
                    }
                    batch.refuse(i, SendRefusal.UNREACHABLE);
                    counters.add(IoCounter.SEND_DROPPED, 1);
                    batch.sent = i + 1;
                    consumed++;
                    continue;
                } catch (java.net.SocketException e) {
                    // Per-datagram failures (unreachable, too big) surface as SocketException,
                    // told apart only by the message the JDK takes from strerror.
                    batch.refuse(i, refusal(e));
                    counters.add(IoCounter.SEND_DROPPED, 1);
                    batch.sent = i + 1;
                    consumed++;
                    continue;
                }
                if (w == 0 && batch.lengths[i] > 0) {
                    break;
                }
                batch.sent = i + 1;
                consumed++;
                sent++;
            }
        } catch (ClosedChannelException e) {
            throw new SocketClosedException("send");
        } catch (IOException e) {
            throw new TransportException("send: " + e.getMessage(), "send", e.getClass().getSimpleName(), e);
        } finally {
            if (sent > 0) {
                counters.add(IoCounter.SEND_CALLS, sent);
                counters.add(IoCounter.DATAGRAMS_SENT, sent);
            }
        }
        return consumed;
    }

    private static SendRefusal refusal(java.net.SocketException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("too long") || m.contains("too big")) {
            return SendRefusal.TOO_BIG;
        }
        if (m.contains("not permitted") || m.contains("permission denied")) {
            return SendRefusal.DENIED;
        }
        return SendRefusal.UNREACHABLE;
    }

    @Override
    public int trySendTrain(SendBatch batch) throws TransportException {
        int n = batch.size - batch.sent;
        if (n > 0) {
            batch.checkTrain(batch.sent, n);
        }
        return trySend(batch);
    }

    @Override
    public IoCounters counters() {
        return counters;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        readiness.close();
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            System.getLogger("io.switchyard.io").log(System.Logger.Level.DEBUG, "close failed", e);
        }
    }
}
