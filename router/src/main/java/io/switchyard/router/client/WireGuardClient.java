package io.switchyard.router.client;

import io.switchyard.wireguard.ip.InnerUdp;

import io.switchyard.config.Key32;
import io.switchyard.wireguard.noise.HandshakeGate;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.HandshakeOutcome;
import io.switchyard.wireguard.peer.PeerEngine;
import io.switchyard.wireguard.WireGuard;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

/**
 * Client mode: one WireGuard peer talking to a remote endpoint (a hub, or any WireGuard peer)
 * with no TUN device. The program sends and receives inner IPv4 UDP datagrams from its overlay
 * address; this class does the handshake as initiator, seals and opens transport messages with
 * the {@link PeerEngine} of the remote peer, answers its timers (rekey, keepalive) and counts
 * everything.
 *
 * <h2>Threads</h2>
 * Not thread-safe: one owner thread calls everything (the engine's data path has one owner).
 * The socket is non-blocking; {@link #poll} drains what has arrived and fires due timers, so
 * the owner calls it regularly (a loop of send bursts and polls, as the demo and the load
 * generator do).
 *
 * <h2>Sending without allocation</h2>
 * Write the payload into {@link #sendBuffer()} at {@link #PAYLOAD_OFFSET}, then
 * {@link #sendPrepared}: headers are written around it and the packet is sealed in place.
 */
public final class WireGuardClient implements AutoCloseable {
    /** Where a payload goes in {@link #sendBuffer()}: transport header, then IPv4 + UDP headers. */
    public static final int PAYLOAD_OFFSET = WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE + InnerUdp.HEADERS;
    /** The largest inner packet (a 1,420-byte inner MTU, as wg-quick's default). */
    public static final int MAX_INNER = 1420;

    /** Receives the inner UDP datagrams {@link #poll} opens; the buffer is only valid during the call. */
    @FunctionalInterface
    public interface Receiver {
        void datagram(ByteBuffer buffer, int payloadOffset, int payloadLength, int srcPort, int dstPort);
    }

    private final Device device;
    private final PeerEngine remote;
    private final DatagramChannel channel;
    private final InetSocketAddress remoteAddress;
    private final byte[] overlay;
    private final ByteBuffer out = ByteBuffer.allocateDirect(MAX_INNER + 64).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer in = ByteBuffer.allocateDirect(65_536).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer control = ByteBuffer.allocateDirect(256).order(ByteOrder.BIG_ENDIAN);

    private long sentPackets;
    private long sentBytes;
    private long receivedPackets;
    private long receivedBytes;
    private long keepalivesReceived;
    private long dropped;
    private long sendBlocked;
    private long handshakes;

    private WireGuardClient(Key32 privateKey, Key32 remotePublicKey, InetSocketAddress remoteAddress, byte[] overlay)
            throws IOException {
        this.device = new Device(privateKey);
        this.remote = device.addPeer(remotePublicKey, null);
        this.remoteAddress = remoteAddress;
        this.overlay = overlay.clone();
        StandardProtocolFamily family = remoteAddress.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        this.channel = DatagramChannel.open(family);
        channel.configureBlocking(false);
        // A peer that polls between send bursts reads in bursts: a deep receive buffer (the
        // kernel caps it at net.core.rmem_max) keeps a hub's burst from overflowing it unseen.
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.connect(remoteAddress);
    }

    /**
     * Opens a client for the peer {@code remotePublicKey} at {@code remoteAddress}, owning the
     * 4-byte IPv4 {@code overlayAddress}. No packet is sent until {@link #handshake}.
     */
    public static WireGuardClient open(Key32 privateKey, Key32 remotePublicKey, InetSocketAddress remoteAddress,
            byte[] overlayAddress) throws IOException {
        if (overlayAddress.length != 4) {
            throw new IllegalArgumentException("client mode speaks IPv4 inside the tunnel: a 4-byte overlay address");
        }
        return new WireGuardClient(privateKey, remotePublicKey, remoteAddress, overlayAddress);
    }

    public Key32 publicKey() {
        return device.publicKey();
    }

    /** The local address this client sends from (what the hub sees as its endpoint). */
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /**
     * Initiates a handshake and polls until the session is up, retransmitting every second, for
     * at most {@code timeout}. Throws with what was seen when it does not complete.
     */
    public void handshake(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextInitiation = 0;
        while (!remote.canSend(System.nanoTime())) {
            long now = System.nanoTime();
            if (now - deadline > 0) {
                throw new IOException("no handshake with " + remoteAddress + " within " + timeout);
            }
            if (now - nextInitiation >= 0) {
                sendInitiation(now);
                nextInitiation = now + 1_000_000_000L;
            }
            if (poll(null) == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted during the handshake", e);
                }
            }
        }
    }

    private void sendInitiation(long now) throws IOException {
        byte[] init = remote.createInitiation(now);
        if (init != null) {
            channel.write(ByteBuffer.wrap(init));
        }
    }

    /** The buffer whose bytes from {@link #PAYLOAD_OFFSET} {@link #sendPrepared} sends. */
    public ByteBuffer sendBuffer() {
        return out;
    }

    /**
     * Sends the {@code payloadLength} bytes at {@link #PAYLOAD_OFFSET} of {@link #sendBuffer()} as
     * a UDP datagram from our overlay address to {@code dst}. Returns true when handed to the
     * kernel; false when there is no session yet (a handshake is asked for) or the socket buffer
     * is full (counted; the caller backs off).
     */
    public boolean sendPrepared(byte[] dst, int srcPort, int dstPort, int payloadLength) throws IOException {
        if (payloadLength < 0 || InnerUdp.HEADERS + payloadLength > MAX_INNER) {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes does not fit a "
                    + MAX_INNER + "-byte inner packet");
        }
        long now = System.nanoTime();
        int inner = InnerUdp.writeHeaders(out, WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE, overlay, dst, srcPort, dstPort,
                payloadLength);
        out.clear();
        int len = remote.seal(out, 0, inner, now);
        if (len < 0) {
            act(remote.pollActions(), now);
            return false;
        }
        out.limit(len).position(0);
        int n = channel.write(out);
        out.clear();
        if (n == 0) {
            sendBlocked++;
            return false;
        }
        sentPackets++;
        sentBytes += inner;
        return true;
    }

    /** Sends {@code payload} as a UDP datagram to {@code dst}; see {@link #sendPrepared}. */
    public boolean send(byte[] dst, int srcPort, int dstPort, byte[] payload) throws IOException {
        out.put(PAYLOAD_OFFSET, payload);
        return sendPrepared(dst, srcPort, dstPort, payload.length);
    }

    /**
     * Drains the datagrams that have arrived (at most 4,096 per call), handing inner UDP
     * datagrams to {@code receiver} (may be null), handles handshake responses, cookie replies
     * and keepalives, and fires due timers. Returns the number of datagrams read.
     */
    public int poll(Receiver receiver) throws IOException {
        int read = 0;
        while (read < 4096) {
            in.clear();
            if (channel.read(in) <= 0) {
                break;
            }
            read++;
            int len = in.position();
            handle(len, receiver);
        }
        long now = System.nanoTime();
        int actions = remote.pollActions();
        if (remote.hasDeadline() && now - remote.nextDeadline() >= 0) {
            actions |= remote.advanceTimers(now);
        }
        act(actions, now);
        return read;
    }

    private void handle(int len, Receiver receiver) throws IOException {
        int type = len >= 4 ? Integer.reverseBytes(in.getInt(0)) : -1;
        long now = System.nanoTime();
        switch (type) {
            case WireGuard.MESSAGE_TRANSPORT_TYPE -> {
                int n = remote.open(in, 0, len, now);
                if (n < 0) {
                    dropped++;
                } else if (n == 0) {
                    keepalivesReceived++;
                } else {
                    int off = WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE;
                    int payload = InnerUdp.payloadLength(in, off, n);
                    if (payload < 0) {
                        dropped++;
                    } else {
                        receivedPackets++;
                        receivedBytes += InnerUdp.HEADERS + payload;
                        if (receiver != null) {
                            receiver.datagram(in, off + InnerUdp.HEADERS, payload, InnerUdp.srcPort(in, off),
                                    InnerUdp.dstPort(in, off));
                        }
                    }
                }
            }
            case WireGuard.MESSAGE_RESPONSE_TYPE -> {
                byte[] msg = new byte[len];
                in.get(0, msg);
                if (len == WireGuard.MESSAGE_RESPONSE_SIZE
                        && device.handleResponse(msg) instanceof HandshakeOutcome.Completed done
                        && done.peer() == remote) {
                    remote.installSession(done.keys(), now);
                    handshakes++;
                } else {
                    dropped++;
                }
            }
            case WireGuard.MESSAGE_COOKIE_REPLY_TYPE -> {
                byte[] msg = new byte[len];
                in.get(0, msg);
                if (device.handleCookieReply(msg) == null) {
                    dropped++;
                }
            }
            case WireGuard.MESSAGE_INITIATION_TYPE -> {
                // The hub initiates too: to rekey a session it began, or, as responder, when it
                // has data for us before our confirmation reached it. Answer as any peer does.
                byte[] msg = new byte[len];
                in.get(0, msg);
                if (len == WireGuard.MESSAGE_INITIATION_SIZE
                        && device.admit(msg, remoteAddress, false) == HandshakeGate.Verdict.ACCEPT
                        && device.handleInitiation(msg) instanceof HandshakeOutcome.Completed done
                        && done.peer() == remote) {
                    remote.installSession(done.keys(), now);
                    handshakes++;
                    channel.write(ByteBuffer.wrap(done.response()));
                } else {
                    dropped++;
                }
            }
            default -> dropped++;
        }
    }

    private void act(int actions, long now) throws IOException {
        if ((actions & PeerEngine.SEND_HANDSHAKE_INITIATION) != 0) {
            sendInitiation(now);
        }
        if ((actions & PeerEngine.SEND_KEEPALIVE) != 0) {
            control.clear();
            int len = remote.sealKeepalive(control, 0, now);
            if (len > 0) {
                control.limit(len).position(0);
                channel.write(control);
            }
        }
    }

    // ------------------------------------------------------------------ for load generators

    /**
     * Seals an inner UDP datagram into {@code buf} at {@code offset} without sending it (load
     * generators pre-seal a run's worth, each with its own counter, and blast them from their own
     * sockets): the payload must already be at {@code offset + PAYLOAD_OFFSET}. Returns the
     * transport message length, or a negative {@link PeerEngine} status (no session yet).
     * Owner thread only.
     */
    public int sealInto(ByteBuffer buf, int offset, byte[] dst, int srcPort, int dstPort, int payloadLength) {
        int inner = InnerUdp.writeHeaders(buf, offset + WireGuard.MESSAGE_TRANSPORT_HEADER_SIZE, overlay, dst, srcPort,
                dstPort, payloadLength);
        return remote.seal(buf, offset, inner, System.nanoTime());
    }

    /** Seals a keepalive into {@code buf} at {@code offset}; returns its length or a negative status. */
    public int sealKeepaliveInto(ByteBuffer buf, int offset) {
        return remote.sealKeepalive(buf, offset, System.nanoTime());
    }

    /**
     * Opens a transport message received on another socket (a generator's sink), in place:
     * returns the inner length (0 for a keepalive) or a negative {@link PeerEngine} status.
     * Owner thread only.
     */
    public int openInPlace(ByteBuffer buf, int offset, int length) {
        return remote.open(buf, offset, length, System.nanoTime());
    }

    /** Counters of this client (inner packets and bytes; drops of anything that did not open). */
    public record Stats(long sentPackets, long sentBytes, long receivedPackets, long receivedBytes,
            long keepalivesReceived, long dropped, long sendBlocked, long handshakes) {}

    public Stats stats() {
        return new Stats(sentPackets, sentBytes, receivedPackets, receivedBytes, keepalivesReceived, dropped,
                sendBlocked, handshakes);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
