package io.switchyard.router.hub;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.io.MemoryNetwork;
import io.switchyard.io.RecvBatch;
import io.switchyard.io.SendBatch;
import io.switchyard.io.SockAddr;
import io.switchyard.io.UdpOptions;
import io.switchyard.io.UdpSocket;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.HandshakeOutcome;
import io.switchyard.wireguard.peer.PeerEngine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * A WireGuard peer of the hub for tests: our own {@link PeerEngine} over a real UDP socket on
 * loopback, driven synchronously by the test thread (no actors), so what the hub sees is exactly
 * what a stock client would send.
 */
final class TestPeer implements AutoCloseable {
    final Key32 privateKey = Key32.of(X25519.generatePrivateKey());
    final Device device = new Device(privateKey);
    DatagramChannel channel;
    final InetSocketAddress hub;
    final PeerEngine engine;
    final byte[] address;

    /** Or, on the in-memory transport, this socket instead of {@link #channel}. */
    private final UdpSocket memory;
    private final RecvBatch memoryBatch;

    TestPeer(Key32 hubPublicKey, InetSocketAddress hub, byte[] address) throws IOException {
        this(hubPublicKey, hub, address, null);
    }

    /** A peer with a preshared key (null: none). */
    TestPeer(Key32 hubPublicKey, InetSocketAddress hub, byte[] address, Key32 psk) throws IOException {
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        this.channel.socket().setSoTimeout(5000);
        this.memory = null;
        this.memoryBatch = null;
        this.hub = hub;
        this.engine = device.addPeer(hubPublicKey, psk);
        this.address = address;
    }

    /** A peer on the in-memory transport: {@code network}'s sockets, no kernel. */
    TestPeer(Key32 hubPublicKey, MemoryNetwork network, int hubPort, byte[] address) throws IOException {
        this.channel = null;
        this.memory = network.open(UdpOptions.create().bind(new InetSocketAddress("127.0.0.1", 0)));
        this.memoryBatch = new RecvBatch(1, 65_536);
        this.hub = new InetSocketAddress("127.0.0.1", hubPort);
        this.engine = device.addPeer(hubPublicKey, null);
        this.address = address;
    }

    private void transmit(ByteBuffer datagram) throws IOException {
        if (memory == null) {
            channel.send(datagram, hub);
            return;
        }
        try (SendBatch b = new SendBatch(1); Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, datagram.remaining()));
            m.asByteBuffer().put(datagram);
            b.add(m, 0, (int) m.byteSize(), SockAddr.of(hub));
            memory.send(b);
        }
    }

    /** One datagram into {@code in} if one is there now; false if none. */
    private boolean poll(ByteBuffer in) throws IOException {
        if (memory == null) {
            return channel.receive(in) != null;
        }
        if (memory.tryReceive(memoryBatch) == 0) {
            return false;
        }
        in.put(memoryBatch.buffer(0).asSlice(memoryBatch.offset(0), memoryBatch.length(0)).asByteBuffer());
        return true;
    }

    Key32 publicKey() {
        return device.publicKey();
    }

    PeerConfig config() {
        return PeerConfig.of(publicKey(), List.of(IpPrefix.of(address, 32)));
    }

    /** The last initiation this peer sent (a recording an attacker could replay). */
    byte[] lastInitiation;

    /** Initiates, waits for the response, installs the session and sends the confirming keepalive. */
    void handshake() throws IOException {
        long now = System.nanoTime();
        byte[] init = engine.createInitiation(now);
        lastInitiation = init.clone();
        transmit(ByteBuffer.wrap(init));
        ByteBuffer in = receiveRaw();
        byte[] msg = new byte[in.remaining()];
        in.get(msg);
        if (msg.length != 92) {
            throw new IOException("expected a 92-byte response, got " + msg.length);
        }
        HandshakeOutcome o = device.handleResponse(msg);
        if (!(o instanceof HandshakeOutcome.Completed done)) {
            throw new IOException("response refused: " + o);
        }
        engine.installSession(done.keys(), System.nanoTime());
        engine.pollActions();
        ByteBuffer k = ByteBuffer.allocate(64);
        int len = engine.sealKeepalive(k, 0, System.nanoTime());
        transmit(k.limit(len));
    }

    /** Seals {@code ip} (an IP packet) and sends it to the hub; returns the wire bytes sent. */
    byte[] send(byte[] ip) throws IOException {
        byte[] wire = seal(ip);
        transmit(ByteBuffer.wrap(wire));
        return wire;
    }

    /** Moves to a new local port (a NAT rebinding, or the client roaming): the old socket closes. */
    void moveToNewPort() throws IOException {
        moveToNewPortKeepingOld().close();
    }

    /** Moves to a new local port and returns the old socket, still open. */
    DatagramChannel moveToNewPortKeepingOld() throws IOException {
        DatagramChannel next = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        DatagramChannel old = channel;
        channel = next;
        return old;
    }

    /** Seals {@code ip} and returns the transport message without sending it. */
    byte[] seal(byte[] ip) throws IOException {
        return seal(ip, Integer.MAX_VALUE);
    }

    /** Seals {@code ip}, padding up to {@code mtu} and no further (as a client with that MTU does). */
    byte[] seal(byte[] ip, int mtu) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ip.length + 64);
        b.put(16, ip);
        int len = engine.seal(b, 0, ip.length, mtu, System.nanoTime());
        if (len < 0) {
            throw new IOException("seal failed: " + len);
        }
        byte[] wire = new byte[len];
        b.get(0, wire);
        return wire;
    }

    /** The local address this peer sends from. */
    /** The local port this peer sends from (either transport). */
    int localPort() throws IOException {
        return memory != null ? memory.localAddress().getPort() : localAddress().getPort();
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    void sendRaw(byte[] wire) throws IOException {
        transmit(ByteBuffer.wrap(wire));
    }

    /** Receives one datagram (5 s timeout: a hang guard) as a buffer from position 0. */
    ByteBuffer receiveRaw() throws IOException {
        ByteBuffer in = ByteBuffer.allocate(65_536);
        long deadline = System.nanoTime() + 5_000_000_000L;
        if (channel != null) {
            channel.configureBlocking(false);
        }
        while (!poll(in)) {
            if (System.nanoTime() > deadline) {
                throw new IOException("nothing received within 5 s");
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        return in.flip();
    }

    /**
     * Receives transport messages until one carries data, opens it and returns the trimmed inner
     * packet (keepalives are skipped).
     */
    byte[] receiveData() throws IOException {
        while (true) {
            ByteBuffer in = receiveRaw();
            int len = in.remaining();
            int n = engine.open(in, 0, len, System.nanoTime());
            if (n < 0) {
                throw new IOException("open failed: " + n + " on a datagram of " + len + " bytes, type "
                        + (len >= 4 ? Integer.reverseBytes(in.getInt(0)) : -1));
            }
            engine.pollActions();
            if (n == 0) {
                continue;
            }
            int total = ((in.get(16) >>> 4) == 4) ? (in.getShort(16 + 2) & 0xffff) : 40 + (in.getShort(16 + 4) & 0xffff);
            byte[] out = new byte[total];
            in.get(16, out);
            return out;
        }
    }

    /** Whether a datagram arrives within {@code millis}. */
    boolean receivesWithin(long millis) throws IOException {
        if (channel != null) {
            channel.configureBlocking(false);
        }
        ByteBuffer in = ByteBuffer.allocate(65_536);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (poll(in)) {
                return true;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
        return false;
    }

    /** A minimal IPv4/UDP packet from {@code src} to {@code dst} with {@code payload}. */
    static byte[] ipv4(byte[] src, byte[] dst, byte[] payload) {
        int total = 20 + 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(src).put(dst);
        b.putShort((short) 12345).putShort((short) 9).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        } else {
            memory.close();
            memoryBatch.close();
        }
    }
}
