package io.switchyard.control;

import io.switchyard.config.Config;
import io.switchyard.config.Endpoint;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.counters.CounterDescriptor;
import io.switchyard.counters.Metric;
import io.switchyard.wireguard.Keys;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cross-platform WireGuard configuration protocol (https://www.wireguard.com/xplatform/), the
 * text that {@code wg} exchanges with a userspace implementation over
 * {@code /var/run/wireguard/NAME.sock}: {@code key=value} lines, keys in hex, a blank line ending
 * each request and each reply.
 *
 * <p><b>get</b> ({@link #writeGet}): {@code private_key}, {@code listen_port} and {@code fwmark}
 * (each only when set), then per peer {@code public_key}, {@code preshared_key} (all zeros for
 * none), {@code protocol_version=1}, {@code endpoint} (when known), {@code
 * last_handshake_time_sec}/{@code _nsec}, {@code tx_bytes}, {@code rx_bytes}, {@code
 * persistent_keepalive_interval} and one {@code allowed_ip} per prefix. The caller appends
 * {@code errno=0}. With {@code extended}, Switchyard's own status keys follow the standard ones
 * (see docs/operations.md); stock {@code wg} never asks for them.
 *
 * <p><b>set</b> ({@link #applySet}): the request is interpreted line by line against a copy of
 * the running configuration, with wireguard-go's semantics (device keys before the first
 * {@code public_key}; {@code replace_peers}, {@code remove}, {@code update_only}, {@code
 * replace_allowed_ips} take only {@code true}; an allowed IP given to one peer is taken from any
 * other; a peer with the hub's own public key is ignored), and its errors ({@code EPROTO} for a
 * line without {@code '='}, {@code EINVAL} for any bad key or value). Unlike wireguard-go, which
 * applies each line as it reads it, the result is a new {@link Config} that the caller applies in
 * one step: a request that fails anywhere changes nothing.
 */
public final class Uapi {
    private Uapi() {}

    /** The hex digits of the wire format (lower case, as wireguard-go writes them). */
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    // ---------------------------------------------------------------- get

    /**
     * Writes the body of a {@code get=1} reply (without the final {@code errno=0} line).
     *
     * @param config the running configuration: keys, port, fwmark, peers and their AllowedIPs
     * @param snapshot live state: the bound port, learned endpoints, handshakes, byte counts
     * @param extended add Switchyard's status keys (packets, drops, counters)
     */
    public static void writeGet(Config config, ControlSnapshot snapshot, boolean extended, StringBuilder out) {
        InterfaceConfig iface = config.iface();
        if (!iface.privateKey().isZero()) {
            key(out, "private_key", iface.privateKey());
        }
        int port = snapshot.listenPort() != 0 ? snapshot.listenPort() : iface.listenPort();
        if (port != 0) {
            line(out, "listen_port", port);
        }
        if (iface.fwMark() != 0) {
            line(out, "fwmark", iface.fwMark());
        }
        if (extended) {
            line(out, "rx_packets", snapshot.rxPackets());
            line(out, "rx_bytes", snapshot.rxBytes());
            line(out, "tx_packets", snapshot.txPackets());
            line(out, "tx_bytes", snapshot.txBytes());
            line(out, "handshakes_completed", snapshot.handshakesCompleted());
            line(out, "cookie_replies_sent", snapshot.cookieRepliesSent());
            named(out, "drop.", snapshot.drops());
            for (Metric m : snapshot.metrics()) {
                // The kind travels in the key, so a client knows a gauge from a counter as the hub does.
                line(out, (m.kind() == CounterDescriptor.Kind.GAUGE ? "gauge." : "counter.") + safeKey(m.name()), m.value());
            }
        }
        Map<Key32, PeerSnapshot> live = new HashMap<>(snapshot.peers().size() * 2);
        for (PeerSnapshot p : snapshot.peers()) {
            live.put(p.publicKey(), p);
        }
        for (PeerConfig peer : config.peers()) {
            PeerSnapshot s = live.get(peer.publicKey());
            key(out, "public_key", peer.publicKey());
            key(out, "preshared_key", peer.presharedKey().orElse(ZERO_KEY));
            out.append("protocol_version=1\n");
            endpointText(peer, s).ifPresent(e -> out.append("endpoint=").append(e).append('\n'));
            Instant hs = s == null ? null : s.lastHandshake().orElse(null);
            line(out, "last_handshake_time_sec", hs == null ? 0 : hs.getEpochSecond());
            line(out, "last_handshake_time_nsec", hs == null ? 0 : hs.getNano());
            line(out, "tx_bytes", s == null ? 0 : s.txBytes());
            line(out, "rx_bytes", s == null ? 0 : s.rxBytes());
            line(out, "persistent_keepalive_interval", peer.persistentKeepalive());
            for (IpPrefix prefix : peer.allowedIps()) {
                out.append("allowed_ip=").append(prefix).append('\n');
            }
            if (extended && s != null) {
                line(out, "rx_packets", s.rxPackets());
                line(out, "tx_packets", s.txPackets());
                for (var e : s.drops().entrySet()) {
                    if (e.getValue() != 0) { // peers x reasons of zeros would dominate the reply
                        out.append("drop.").append(safeKey(e.getKey())).append('=').append(e.getValue()).append('\n');
                    }
                }
            }
        }
    }

    private static final Key32 ZERO_KEY = Key32.of(new byte[Key32.LENGTH]);

    /**
     * The endpoint to report: the learned one, else a configured IP literal. A configured host
     * name is left out: {@code wg} resolves whatever it reads and fails the whole {@code show}
     * if the name does not resolve.
     */
    private static Optional<String> endpointText(PeerConfig peer, PeerSnapshot live) {
        if (live != null && live.endpoint().isPresent()) {
            InetSocketAddress a = live.endpoint().get();
            if (a.getAddress() != null && a.getPort() > 0) {
                return Optional.of(Endpoint.of(a).toString());
            }
        }
        return peer.endpoint().filter(Endpoint::isLiteral).map(Endpoint::toString);
    }

    private static void named(StringBuilder out, String prefix, Map<String, Long> values) {
        for (var e : values.entrySet()) {
            out.append(prefix).append(safeKey(e.getKey())).append('=').append(e.getValue()).append('\n');
        }
    }

    /** A name made safe for the key side of a line: no '=', no line break, no blank. */
    static String safeKey(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c == '=' || c <= ' ' || c == 0x7f ? '_' : c);
        }
        return sb.toString();
    }

    private static void line(StringBuilder out, String key, long value) {
        out.append(key).append('=').append(value).append('\n');
    }

    private static void key(StringBuilder out, String name, Key32 key) {
        out.append(name).append('=');
        for (byte b : key.toBytes()) {
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        out.append('\n');
    }

    /** The 64 lower-case hex digits of a key, as the wire carries it. */
    public static String hex(Key32 key) {
        StringBuilder sb = new StringBuilder(64);
        for (byte b : key.toBytes()) {
            sb.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return sb.toString();
    }

    /**
     * Decodes a 64-digit hex key, either case.
     *
     * @throws UapiException EINVAL naming the key
     */
    public static Key32 parseHexKey(String what, String text) throws UapiException {
        if (text.length() != 64) {
            throw UapiException.invalid(what + ": expected 64 hex digits, got " + text.length() + " characters");
        }
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(text.charAt(2 * i), 16);
            int lo = Character.digit(text.charAt(2 * i + 1), 16);
            // Character.digit accepts non-ASCII digits (e.g. Arabic-Indic); the wire does not
            if (hi < 0 || lo < 0 || text.charAt(2 * i) > 'f' || text.charAt(2 * i + 1) > 'f') {
                throw UapiException.invalid(what + ": expected hex digits");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return Key32.of(b);
    }

    // ---------------------------------------------------------------- set

    /**
     * Interprets the lines of a {@code set=1} request (without the {@code set=1} line and the
     * final blank line) against {@code current} and returns the configuration it asks for, which
     * may equal {@code current}. {@code current} is not modified; nothing is applied.
     *
     * @param boundPort the port the hub actually listens on; {@code listen_port} equal to it is
     *     not a change even when the configuration says 0 ("any"), so that feeding back what
     *     {@code wg showconf} printed does not ask for a restart
     * @throws UapiException EPROTO or EINVAL naming the first bad line; the only exception
     *     raised for any input
     */
    public static Config applySet(Config current, int boundPort, List<String> lines) throws UapiException {
        return new SetInterpreter(current, boundPort).run(lines);
    }

    /** The mutable model one set request works on. */
    private static final class SetInterpreter {
        private final Config current;
        private final int boundPort;
        private Key32 privateKey;
        private int listenPort;
        private long fwMark;
        private boolean privateKeyChanged;
        private final LinkedHashMap<Key32, PeerDraft> peers = new LinkedHashMap<>();
        /** Which peer owns each prefix: an allowed IP has one owner, as in the kernel's trie. */
        private final HashMap<IpPrefix, PeerDraft> owner = new HashMap<>();
        private Key32 ownPublicKey;

        SetInterpreter(Config current, int boundPort) {
            this.current = current;
            this.boundPort = boundPort;
            InterfaceConfig i = current.iface();
            privateKey = i.privateKey();
            listenPort = i.listenPort();
            fwMark = i.fwMark();
            for (PeerConfig p : current.peers()) {
                PeerDraft d = new PeerDraft(p);
                peers.put(p.publicKey(), d);
                for (IpPrefix prefix : d.allowed) {
                    owner.putIfAbsent(prefix, d);
                }
            }
        }

        Config run(List<String> lines) throws UapiException {
            PeerDraft peer = null; // null: still in the device section
            boolean dummy = false; // lines for this peer are checked and ignored
            boolean created = false;
            for (String line : lines) {
                int eq = line.indexOf('=');
                if (eq < 0) {
                    throw new UapiException(UapiException.EPROTO, "failed to parse line \"" + printable(line) + "\"");
                }
                String key = line.substring(0, eq);
                String value = line.substring(eq + 1);
                if (key.equals("public_key")) {
                    Key32 pk = parseHexKey("public_key", value);
                    dummy = pk.equals(ownPublicKey());
                    PeerDraft existing = peers.get(pk);
                    created = existing == null;
                    if (dummy) {
                        peer = new PeerDraft(pk);
                    } else if (created) {
                        peer = new PeerDraft(pk);
                        peers.put(pk, peer);
                    } else {
                        peer = existing;
                    }
                    continue;
                }
                if (peer == null) {
                    deviceLine(key, value);
                    continue;
                }
                switch (key) {
                    case "update_only" -> {
                        requireTrue(key, value);
                        if (created && !dummy) {
                            removePeer(peer);
                            dummy = true;
                        }
                    }
                    case "remove" -> {
                        requireTrue(key, value);
                        if (!dummy) {
                            removePeer(peer);
                        }
                        dummy = true;
                    }
                    case "preshared_key" -> {
                        Key32 psk = parseHexKey("preshared_key", value);
                        peer.presharedKey = psk.isZero() ? Optional.empty() : Optional.of(psk);
                        peer.presharedKeyFile = Optional.empty();
                    }
                    case "endpoint" -> {
                        try {
                            peer.endpoint = Optional.of(Endpoint.parse(value));
                        } catch (IllegalArgumentException e) {
                            throw UapiException.invalid("failed to set endpoint " + printable(value) + ": " + e.getMessage());
                        }
                    }
                    case "persistent_keepalive_interval" ->
                        peer.keepalive = (int) parseUnsigned(key, value, 0xffff);
                    case "replace_allowed_ips" -> {
                        requireTrue(key, value);
                        if (!dummy) {
                            for (IpPrefix p : peer.allowed) {
                                owner.remove(p, peer);
                            }
                            peer.allowed.clear();
                        }
                    }
                    case "allowed_ip" -> {
                        IpPrefix prefix = parsePrefix(value);
                        if (!dummy) {
                            PeerDraft previous = owner.put(prefix, peer);
                            if (previous != null && previous != peer) {
                                previous.allowed.remove(prefix);
                            }
                            peer.allowed.add(prefix);
                        }
                    }
                    case "protocol_version" -> {
                        if (!value.equals("1")) {
                            throw UapiException.invalid("invalid protocol version: " + printable(value));
                        }
                    }
                    default -> throw UapiException.invalid("invalid UAPI peer key: " + printable(key));
                }
            }
            return build();
        }

        private void deviceLine(String key, String value) throws UapiException {
            switch (key) {
                case "private_key" -> {
                    Key32 k = parseHexKey("private_key", value);
                    if (k.isZero()) {
                        // wg uses an all-zero key to mean "no key"; a hub cannot run without one
                        throw UapiException.invalid("private_key: Switchyard cannot run without a private key");
                    }
                    if (!k.equals(privateKey)) {
                        privateKey = k;
                        privateKeyChanged = true;
                        ownPublicKey = null;
                    }
                }
                case "listen_port" -> {
                    int port = (int) parseUnsigned(key, value, 0xffff);
                    listenPort = port == boundPort && current.iface().listenPort() == 0 ? 0 : port;
                }
                case "fwmark" -> fwMark = parseUnsigned(key, value, 0xffff_ffffL);
                case "replace_peers" -> {
                    requireTrue(key, value);
                    peers.clear();
                    owner.clear();
                }
                default -> throw UapiException.invalid("invalid UAPI device key: " + printable(key));
            }
        }

        private Key32 ownPublicKey() {
            if (ownPublicKey == null) {
                ownPublicKey = Key32.of(Keys.publicKey(privateKey.toBytes()));
            }
            return ownPublicKey;
        }

        private void removePeer(PeerDraft peer) {
            peers.remove(peer.publicKey, peer);
            for (IpPrefix p : peer.allowed) {
                owner.remove(p, peer);
            }
        }

        private Config build() {
            if (privateKeyChanged) {
                // as wireguard-go's SetPrivateKey: a peer cannot be the hub itself
                PeerDraft self = peers.get(ownPublicKey());
                if (self != null) {
                    removePeer(self);
                }
            }
            InterfaceConfig old = current.iface();
            InterfaceConfig iface = privateKey.equals(old.privateKey()) && listenPort == old.listenPort()
                    && fwMark == old.fwMark()
                    ? old
                    : new InterfaceConfig(privateKey,
                            privateKey.equals(old.privateKey()) ? old.privateKeyFile() : Optional.empty(),
                            listenPort, fwMark, old.wgQuickSettings());
            List<PeerConfig> list = new ArrayList<>(peers.size());
            for (PeerDraft d : peers.values()) {
                list.add(d.build());
            }
            return new Config(current.name(), iface, current.settings(), list);
        }
    }

    /** A peer being edited; unchanged fields build back into an equal {@link PeerConfig}. */
    private static final class PeerDraft {
        final Key32 publicKey;
        Optional<Key32> presharedKey;
        Optional<Path> presharedKeyFile;
        final LinkedHashSet<IpPrefix> allowed;
        Optional<Endpoint> endpoint;
        int keepalive;

        PeerDraft(Key32 publicKey) {
            this.publicKey = publicKey;
            presharedKey = Optional.empty();
            presharedKeyFile = Optional.empty();
            allowed = new LinkedHashSet<>();
            endpoint = Optional.empty();
        }

        PeerDraft(PeerConfig p) {
            publicKey = p.publicKey();
            presharedKey = p.presharedKey();
            presharedKeyFile = p.presharedKeyFile();
            allowed = new LinkedHashSet<>(p.allowedIps());
            endpoint = p.endpoint();
            keepalive = p.persistentKeepalive();
        }

        PeerConfig build() {
            // the same key given inline again keeps its file reference (it is the same secret)
            return new PeerConfig(publicKey, presharedKey, presharedKey.isPresent() ? presharedKeyFile : Optional.empty(),
                    List.copyOf(allowed), endpoint, keepalive);
        }
    }

    private static void requireTrue(String key, String value) throws UapiException {
        if (!value.equals("true")) {
            throw UapiException.invalid("failed to set " + key + ", invalid value: " + printable(value));
        }
    }

    /** Decimal digits only, at most {@code max}: Go's {@code strconv.ParseUint(v, 10, bits)}. */
    static long parseUnsigned(String key, String value, long max) throws UapiException {
        if (value.isEmpty() || value.length() > 20) {
            throw UapiException.invalid("failed to parse " + key + ": " + printable(value));
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw UapiException.invalid("failed to parse " + key + ": " + printable(value));
            }
            n = n * 10 + (c - '0');
            if (n > max) {
                throw UapiException.invalid("failed to parse " + key + ": " + printable(value) + " is out of range 0.." + max);
            }
        }
        return n;
    }

    /** {@code address/bits} (the length is required, as Go's {@code netip.ParsePrefix}). */
    private static IpPrefix parsePrefix(String value) throws UapiException {
        if (value.indexOf('/') < 0) {
            throw UapiException.invalid("failed to set allowed ip: no '/' in " + printable(value));
        }
        try {
            return IpPrefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw UapiException.invalid("failed to set allowed ip " + printable(value) + ": " + e.getMessage());
        }
    }

    /** At most 80 characters of untrusted text, control characters escaped, for messages. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 80) + 8);
        for (int i = 0; i < s.length() && sb.length() < 80; i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= 80) {
            sb.append("...");
        }
        return sb.toString();
    }
}
