package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.io.errors.TransportException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;

/** Real loopback sockets for tests, closed after each test; the transport comes from the subclass. */
@Timeout(60)
abstract class SocketFixture {
    static final InetAddress LO4 = InetAddress.getLoopbackAddress();
    final Arena arena = Arena.ofShared();
    final List<AutoCloseable> toClose = new ArrayList<>();

    abstract Transport transport();

    @AfterEach
    void cleanup() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        arena.close();
    }

    UdpSocket open(UdpOptions o) throws TransportException {
        UdpSocket s = Datagrams.open(o.transport(transport()));
        toClose.add(s);
        assertEquals(switch (transport()) {
            case NIO -> "nio";
            case URING -> "linux-uring";
            default -> "linux-native";
        }, s.transportName());
        return s;
    }

    UdpSocket openLoopback() throws TransportException {
        return open(UdpOptions.create().bind(new InetSocketAddress(LO4, 0)));
    }

    DatagramChannel jdkChannel(InetAddress bindTo) throws Exception {
        DatagramChannel ch = DatagramChannel.open(bindTo instanceof java.net.Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        ch.bind(new InetSocketAddress(bindTo, 0));
        toClose.add(ch);
        return ch;
    }

    RecvBatch batch(int capacity, int slotSize) {
        RecvBatch b = new RecvBatch(capacity, slotSize);
        toClose.add(b);
        return b;
    }

    SendBatch sendBatch(int capacity) {
        SendBatch b = new SendBatch(capacity);
        toClose.add(b);
        return b;
    }

    static byte[] payload(int seq, int length) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    /** The next datagram on a JDK channel (blocking), as bytes. */
    static byte[] receiveOne(java.nio.channels.DatagramChannel rx) throws java.io.IOException {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        rx.receive(buf);
        buf.flip();
        byte[] got = new byte[buf.remaining()];
        buf.get(got);
        return got;
    }

    static byte[] bytes(RecvBatch b, int i) {
        return b.buffer(i).asSlice(b.offset(i), b.length(i)).toArray(ValueLayout.JAVA_BYTE);
    }

    MemorySegment nativeCopy(byte[] data) {
        MemorySegment s = arena.allocate(Math.max(1, data.length));
        MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 0, data.length);
        return s;
    }

    /** Receives until {@code expected} datagrams have arrived; returns their payloads in order. */
    static List<byte[]> receiveAll(UdpSocket s, RecvBatch b, int expected) throws TransportException {
        List<byte[]> got = new ArrayList<>();
        while (got.size() < expected) {
            int n = s.receive(b);
            for (int i = 0; i < n; i++) {
                got.add(bytes(b, i));
            }
        }
        return got;
    }

}
