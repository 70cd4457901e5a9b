package io.switchyard.router.hub;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.wireguard.crypto.X25519;
import io.switchyard.wireguard.peer.Device;
import io.switchyard.wireguard.peer.HandshakeOutcome;
import io.switchyard.wireguard.peer.PeerEngine;
import java.io.IOException;
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

    TestPeer(Key32 hubPublicKey, InetSocketAddress hub, byte[] address) throws IOException {
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        this.channel.socket().setSoTimeout(5000);
        this.hub = hub;
        this.engine = device.addPeer(hubPublicKey, null);
        this.address = address;
    }

    Key32 publicKey() {
        return device.publicKey();
    }

    PeerConfig config() {
        return PeerConfig.of(publicKey(), List.of(IpPrefix.of(address, 32)));
    }

    /** Initiates, waits for the response, installs the session and sends the confirming keepalive. */
    void handshake() throws IOException {
        long now = System.nanoTime();
        byte[] init = engine.createInitiation(now);
        channel.send(ByteBuffer.wrap(init), hub);
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
        channel.send(k.limit(len), hub);
    }

    /** Seals {@code ip} (an IP packet) and sends it to the hub; returns the wire bytes sent. */
    byte[] send(byte[] ip) throws IOException {
        byte[] wire = seal(ip);
        channel.send(ByteBuffer.wrap(wire), hub);
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
    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    void sendRaw(byte[] wire) throws IOException {
        channel.send(ByteBuffer.wrap(wire), hub);
    }

    /** Receives one datagram (5 s timeout: a hang guard) as a buffer from position 0. */
    ByteBuffer receiveRaw() throws IOException {
        ByteBuffer in = ByteBuffer.allocate(65_536);
        channel.configureBlocking(true);
        long deadline = System.nanoTime() + 5_000_000_000L;
        channel.configureBlocking(false);
        while (channel.receive(in) == null) {
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
        channel.configureBlocking(false);
        ByteBuffer in = ByteBuffer.allocate(2048);
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (channel.receive(in) != null) {
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
        channel.close();
    }
}
