package io.switchyard.io;

import static io.switchyard.io.linux.LinuxStructs.SOCKADDR_STORAGE;

import io.switchyard.io.errors.SocketClosedException;
import io.switchyard.io.errors.TransportException;
import io.switchyard.io.errors.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Datagrams between sockets of one JVM without a kernel: a network of one host, whose sockets are
 * told apart by port (a socket bound to {@code [::]:5000} and one bound to
 * {@code 127.0.0.1:5000} are the same place). For unit tests of the code above io-native, as
 * wireguard-go tests two devices over an in-memory bind: the hub and its test peers run on it
 * with no system calls, no namespace, and no timing of the kernel's.
 *
 * <p>A send copies each datagram into the destination socket's bounded queue ({@value #QUEUE}
 * datagrams; a full queue drops, counted there as {@link IoCounter#KERNEL_DROPS}); a datagram to
 * a port nobody is bound to vanishes, as UDP does. The receiver sees the sender as
 * {@code 127.0.0.1:port}. No GSO, GRO, zerocopy or error queue; {@code connect} only fixes the
 * destination of datagrams sent without one. Not for production: real deployments use the
 * kernel transports.
 */
public final class MemoryNetwork {
    static final int QUEUE = 4096;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final ConcurrentHashMap<Integer, Socket> ports = new ConcurrentHashMap<>();
    private final AtomicInteger nextPort = new AtomicInteger(40000);

    /** Opens a socket bound to {@code options}' port (0: a free one), maybe connected. */
    public UdpSocket open(UdpOptions options) throws TransportException {
        int port = options.bind.getPort();
        if (port == 0) {
            do {
                port = nextPort.getAndIncrement();
            } while (ports.containsKey(port));
        }
        Socket s = new Socket(new InetSocketAddress(options.bind.getAddress(), port), options.connect);
        if (ports.putIfAbsent(port, s) != null) {
            throw new TransportException("bind " + options.bind + ": port " + port + " in use on the memory network",
                    "bind", "EADDRINUSE");
        }
        return s;
    }

    private record Datagram(byte[] bytes, int fromPort) {}

    private final class Socket implements UdpSocket {
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final ArrayBlockingQueue<Datagram> queue = new ArrayBlockingQueue<>(QUEUE);
        private final IoCounters counters = new IoCounters();
        private volatile Thread waiter;
        private volatile boolean open = true;

        Socket(InetSocketAddress local, InetSocketAddress remote) {
            this.local = local;
            this.remote = remote;
        }

        @Override
        public String transportName() {
            return "memory";
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
            check("receive");
            batch.clear();
            int slot = 0;
            int truncated = 0;
            Datagram d;
            while (slot < batch.limit && (d = queue.poll()) != null) {
                MemorySegment buf = batch.slots[slot];
                if (d.bytes.length > buf.byteSize()) {
                    truncated++;
                    continue;
                }
                MemorySegment.copy(d.bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, d.bytes.length);
                SockAddr.encode(new InetSocketAddress(LOOPBACK, d.fromPort), batch.names, SOCKADDR_STORAGE * slot, false);
                batch.add(slot, 0, d.bytes.length);
                slot++;
            }
            batch.truncated = truncated;
            counters.add(IoCounter.TRUNCATED, truncated);
            if (batch.count > 0) {
                counters.add(IoCounter.RECEIVE_CALLS, 1);
                counters.add(IoCounter.DATAGRAMS_RECEIVED, batch.count);
            }
            return batch.count;
        }

        @Override
        public void awaitReadable() throws TransportException {
            waiter = Thread.currentThread();
            try {
                while (queue.isEmpty() && open) {
                    LockSupport.park(this);
                    if (Thread.interrupted()) {
                        throw new WaitInterruptedException("receive");
                    }
                }
            } finally {
                waiter = null;
            }
            check("receive");
        }

        @Override
        public void wakeReceiver() {
            Thread t = waiter;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void awaitWritable() throws TransportException {
            check("send"); // never full: a full destination queue drops instead
        }

        @Override
        public int trySend(SendBatch batch) throws TransportException {
            check("send");
            int n = 0;
            while (batch.sent < batch.size) {
                int i = batch.sent;
                InetSocketAddress to = batch.destinations[i] == null ? remote : batch.destinations[i].toInetSocketAddress();
                byte[] bytes = new byte[batch.lengths[i]];
                MemorySegment.copy(batch.buffers[i], ValueLayout.JAVA_BYTE, batch.offsets[i], bytes, 0, bytes.length);
                Socket dest = to == null ? null : ports.get(to.getPort());
                if (dest != null && dest.open) {
                    if (dest.queue.offer(new Datagram(bytes, local.getPort()))) {
                        dest.wakeReceiver();
                    } else {
                        dest.counters.add(IoCounter.KERNEL_DROPS, 1);
                    }
                }
                batch.sent = i + 1;
                n++;
            }
            counters.add(IoCounter.SEND_CALLS, n > 0 ? 1 : 0);
            counters.add(IoCounter.DATAGRAMS_SENT, n);
            return n;
        }

        @Override
        public int trySendTrain(SendBatch batch) throws TransportException {
            return trySend(batch);
        }

        @Override
        public IoCounters counters() {
            return counters;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                ports.remove(local.getPort(), this);
                wakeReceiver();
            }
        }

        private void check(String call) throws SocketClosedException {
            if (!open) {
                throw new SocketClosedException(call);
            }
        }

        @Override
        public String toString() {
            return "MemorySocket[" + local + "]";
        }
    }
}
