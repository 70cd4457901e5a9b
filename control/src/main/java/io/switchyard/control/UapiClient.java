package io.switchyard.control;

import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.counters.CounterDescriptor;
import io.switchyard.counters.Metric;
import io.switchyard.wireguard.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The client side of the control socket, for {@code switchyard show} and {@code switchyard
 * reload}: one request per connection, the reply read up to its blank line (bounded).
 * Works against any UAPI implementation for {@code get}; the Switchyard extensions get no reply
 * from others (wireguard-go closes the connection), which {@link #status} turns into a plain get.
 */
public final class UapiClient {
    /** Longest reply read: 256 MiB, far beyond a million peers. */
    private static final int MAX_REPLY = 256 << 20;

    private UapiClient() {}

    /**
     * The other side closed the connection without a complete reply: what wireguard-go and other
     * implementations do with an operation they do not know (such as Switchyard's extensions).
     */
    public static final class NoReplyException extends IOException {
        NoReplyException() {
            super("connection closed before a complete reply");
        }
    }

    /** A reply: its {@code key=value} lines (without errno) and the errno (0, or negative). */
    public record Reply(List<Map.Entry<String, String>> lines, int errno) {
        /** The {@code message=} lines joined by newlines. */
        public String message() {
            StringBuilder sb = new StringBuilder();
            for (var e : lines) {
                if (e.getKey().equals("message")) {
                    sb.append(sb.isEmpty() ? "" : "\n").append(e.getValue());
                }
            }
            return sb.toString();
        }
    }

    /** The interface as {@link #status} read it. */
    public record Status(Optional<Key32> publicKey, long fwMark, boolean extended, ControlSnapshot snapshot) {}

    /**
     * Sends {@code request} (e.g. {@code "get=1\n\n"}) and reads the reply.
     *
     * @throws NoReplyException if the connection closed without a complete reply
     * @throws IOException if the socket cannot be reached or the reply is malformed
     */
    public static Reply request(Path socket, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            // Read the whole reply in bulk: it ends at the first blank line ("errno=N\n\n"), and a
            // reply body never holds one (every line is key=value).
            InputStream in = Channels.newInputStream(ch);
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(65536);
            byte[] chunk = new byte[65536];
            int prev = -1;
            int end = -1;
            while (end < 0) {
                int n = in.read(chunk);
                if (n < 0) {
                    throw new NoReplyException();
                }
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n' && prev == '\n') {
                        end = all.size() + i;
                        break;
                    }
                    prev = chunk[i];
                }
                all.write(chunk, 0, end < 0 ? n : end - all.size() + 1);
                if (all.size() > MAX_REPLY) {
                    throw new IOException("reply longer than " + MAX_REPLY + " bytes");
                }
            }
            String text = all.toString(StandardCharsets.UTF_8);
            List<Map.Entry<String, String>> lines = new ArrayList<>();
            int from = 0;
            while (from < text.length()) {
                int nl = text.indexOf('\n', from);
                String l = text.substring(from, nl);
                from = nl + 1;
                if (l.isEmpty()) {
                    break;
                }
                int eq = l.indexOf('=');
                if (eq < 0) {
                    throw new IOException("malformed reply line: " + Uapi.printable(l));
                }
                String key = l.substring(0, eq);
                String value = l.substring(eq + 1);
                if (key.equals("errno")) {
                    try {
                        return new Reply(lines, Integer.parseInt(value));
                    } catch (NumberFormatException e) {
                        throw new IOException("malformed errno: " + Uapi.printable(value));
                    }
                }
                lines.add(Map.entry(key, value));
            }
            throw new IOException("reply without errno");
        }
    }

    /**
     * Reads the interface's status: {@code switchyard-get=1}, or a plain {@code get=1} if the
     * other side is not Switchyard.
     */
    public static Status status(Path socket) throws IOException {
        Reply r;
        boolean extended = true;
        try {
            r = request(socket, "switchyard-get=1\n\n");
        } catch (NoReplyException e) {
            extended = false;
            r = request(socket, "get=1\n\n");
        }
        if (r.errno() != 0) {
            throw new IOException("get failed with errno " + r.errno());
        }
        return parseStatus(r, extended);
    }

    static Status parseStatus(Reply r, boolean extended) throws IOException {
        Optional<Key32> publicKey = Optional.empty();
        long fwMark = 0;
        int port = 0;
        long[] dev = new long[6];
        Map<String, Long> drops = new LinkedHashMap<>();
        List<Metric> metrics = new ArrayList<>();
        List<PeerSnapshot> peers = new ArrayList<>();
        PeerBuilder peer = null;
        try {
            for (var e : r.lines()) {
                String k = e.getKey();
                String v = e.getValue();
                if (k.equals("public_key")) {
                    if (peer != null) {
                        peers.add(peer.build());
                    }
                    peer = new PeerBuilder(Uapi.parseHexKey(k, v));
                    continue;
                }
                if (peer == null) {
                    switch (k) {
                        case "private_key" -> publicKey = Optional.of(Key32.of(Keys.publicKey(Uapi.parseHexKey(k, v).toBytes())));
                        case "listen_port" -> port = Integer.parseInt(v);
                        case "fwmark" -> fwMark = Long.parseLong(v);
                        case "rx_packets" -> dev[0] = Long.parseLong(v);
                        case "rx_bytes" -> dev[1] = Long.parseLong(v);
                        case "tx_packets" -> dev[2] = Long.parseLong(v);
                        case "tx_bytes" -> dev[3] = Long.parseLong(v);
                        case "handshakes_completed" -> dev[4] = Long.parseLong(v);
                        case "cookie_replies_sent" -> dev[5] = Long.parseLong(v);
                        default -> {
                            if (k.startsWith("drop.")) {
                                drops.put(k.substring(5), Long.parseLong(v));
                            } else if (k.startsWith("counter.")) {
                                metrics.add(new Metric(k.substring(8), CounterDescriptor.Kind.COUNTER, "", Long.parseLong(v)));
                            } else if (k.startsWith("gauge.")) {
                                metrics.add(new Metric(k.substring(6), CounterDescriptor.Kind.GAUGE, "", Long.parseLong(v)));
                            } // other keys: newer servers may add some
                        }
                    }
                    continue;
                }
                switch (k) {
                    case "endpoint" -> peer.endpoint = Optional.of(parseEndpoint(v));
                    case "last_handshake_time_sec" -> peer.hsSec = Long.parseLong(v);
                    case "last_handshake_time_nsec" -> peer.hsNsec = Long.parseLong(v);
                    case "rx_bytes" -> peer.rxBytes = Long.parseLong(v);
                    case "tx_bytes" -> peer.txBytes = Long.parseLong(v);
                    case "rx_packets" -> peer.rxPackets = Long.parseLong(v);
                    case "tx_packets" -> peer.txPackets = Long.parseLong(v);
                    case "persistent_keepalive_interval" -> peer.keepalive = Integer.parseInt(v);
                    case "allowed_ip" -> peer.allowed.add(IpPrefix.parse(v));
                    default -> {
                        if (k.startsWith("drop.")) {
                            peer.drops.put(k.substring(5), Long.parseLong(v));
                        }
                    }
                }
            }
        } catch (UapiException | IllegalArgumentException e) {
            throw new IOException("malformed status reply: " + e.getMessage(), e);
        }
        if (peer != null) {
            peers.add(peer.build());
        }
        return new Status(publicKey, fwMark, extended,
                new ControlSnapshot(port, dev[0], dev[1], dev[2], dev[3], dev[4], dev[5], drops, metrics, peers));
    }

    private static InetSocketAddress parseEndpoint(String v) {
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("endpoint without a port: " + v);
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(v.substring(colon + 1)));
    }

    private static final class PeerBuilder {
        final Key32 key;
        Optional<InetSocketAddress> endpoint = Optional.empty();
        long hsSec;
        long hsNsec;
        long rxBytes;
        long txBytes;
        long rxPackets;
        long txPackets;
        int keepalive;
        final List<IpPrefix> allowed = new ArrayList<>();
        final Map<String, Long> drops = new LinkedHashMap<>();

        PeerBuilder(Key32 key) {
            this.key = key;
        }

        PeerSnapshot build() {
            Optional<Instant> hs = hsSec == 0 && hsNsec == 0 ? Optional.empty() : Optional.of(Instant.ofEpochSecond(hsSec, hsNsec));
            return new PeerSnapshot(key, endpoint, hs, rxPackets, rxBytes, txPackets, txBytes, allowed, keepalive, drops);
        }
    }
}
