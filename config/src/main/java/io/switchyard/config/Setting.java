package io.switchyard.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * The keys of the {@code [Switchyard]} section: each with its value type, its documented default,
 * and whether a running router can apply a change without a restart. docs/config.md describes each
 * one; a test checks that the reference lists every key with this default.
 */
public enum Setting {
    /** Datagram transport: native (FFM batch syscalls), nio (portable), uring (io_uring) or auto (native if probed OK). */
    TRANSPORT("Transport", Kind.TRANSPORT, "auto", 0, 0, true),
    /** Datagrams per receive or send batch (recvmmsg/sendmmsg vector length). */
    BATCH_SIZE("BatchSize", Kind.INT, "64", 1, 1024, true),
    /** UDP generic segmentation offload on send (UDP_SEGMENT). */
    GSO("GSO", Kind.BOOL, "on", 0, 0, true),
    /** UDP generic receive offload (UDP_GRO). */
    GRO("GRO", Kind.BOOL, "on", 0, 0, true),
    /** MSG_ZEROCOPY for large sends. */
    ZERO_COPY("ZeroCopy", Kind.BOOL, "on", 0, 0, true),
    /** Smallest send, in bytes, that uses MSG_ZEROCOPY; smaller sends copy. */
    ZERO_COPY_THRESHOLD("ZeroCopyThreshold", Kind.BYTES, "10240", 0, 1 << 30, false),
    /** Platform threads for handshake crypto (Noise, cookies). */
    HANDSHAKE_WORKERS("HandshakeWorkers", Kind.INT, "2", 1, 256, true),
    /** Handshake messages queued before the router counts itself under load (MAC2 required). */
    HANDSHAKE_QUEUE_SIZE("HandshakeQueueSize", Kind.INT, "1024", 8, 1 << 20, true),
    /** Receive threads / listening sockets (SO_REUSEPORT); auto is one per four available cores, at least one. */
    ROUTER_THREADS("RouterThreads", Kind.THREADS, "auto", 1, 1024, true),
    /** One connect(2)ed socket per peer endpoint, sharing the listen port via SO_REUSEPORT. */
    CONNECTED_SOCKETS("ConnectedSockets", Kind.BOOL, "off", 0, 0, true),
    /** SO_RCVBUF and SO_SNDBUF request in bytes (the kernel caps it at net.core.[rw]mem_max). */
    SOCKET_BUFFER_SIZE("SocketBufferSize", Kind.BYTES, "4194304", 4096, 1 << 30, true),
    /** Packet buffers of 2 KiB in the hub's pool: the bound on datagrams in flight inside the hub. */
    PACKET_BUFFERS("PacketBuffers", Kind.INT, "8192", 256, 1 << 20, true),
    /** Packet buffers of 64 KiB, for datagrams above 2 KiB (jumbo MTUs); 0 drops those as too big. */
    LARGE_PACKET_BUFFERS("LargePacketBuffers", Kind.INT, "256", 0, 1 << 16, true),
    /** Largest datagram the hub takes; bigger ones are dropped as DATAGRAM_TOO_BIG. */
    MAX_DATAGRAM_SIZE("MaxDatagramSize", Kind.BYTES, "65535", 148, 65535, true),
    /** host:port for the Prometheus-style metrics endpoint, or off. */
    METRICS_ADDRESS("MetricsAddress", Kind.ADDRESS_OR_OFF, "off", 0, 0, true),
    /** Whether the metrics endpoint writes per-peer series (off for very large hubs). */
    METRICS_PER_PEER("MetricsPerPeer", Kind.BOOL, "on", 0, 0, true),
    /** UAPI control socket: auto (/var/run/wireguard/NAME.sock), off, or a path. */
    CONTROL_SOCKET("ControlSocket", Kind.SOCKET_PATH, "auto", 0, 0, true),
    /** How often the status line and rate counters are refreshed; 0 turns it off. */
    STATUS_INTERVAL("StatusInterval", Kind.DURATION, "10s", 0, 86_400, false);

    /** The value types; {@code min}/{@code max} bound INT, BYTES, THREADS and DURATION (seconds). */
    enum Kind {
        BOOL("on or off"),
        INT("an integer"),
        BYTES("a byte count such as 65536, 64K or 4M"),
        THREADS("auto or a thread count"),
        DURATION("a duration such as 10s, 500ms, 2m or 0"),
        TRANSPORT("auto, native, nio or uring"),
        ADDRESS_OR_OFF("off or host:port"),
        SOCKET_PATH("auto, off or an absolute path");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    /** Values of {@link #TRANSPORT}. */
    public enum Transport {
        AUTO,
        NATIVE,
        NIO,
        /** io_uring for the listen sockets (peers' connected sockets stay on epoll: three rings each). */
        URING
    }

    private final String key;
    final Kind kind;
    private final String defaultText;
    final long min;
    final long max;
    private final boolean restart;
    private final Object defaultValue;

    Setting(String key, Kind kind, String defaultText, long min, long max, boolean restart) {
        this.key = key;
        this.kind = kind;
        this.defaultText = defaultText;
        this.min = min;
        this.max = max;
        this.restart = restart;
        this.defaultValue = parseWith(kind, min, max, defaultText);
    }

    /** The key as written in files and docs (matched case-insensitively). */
    public String key() {
        return key;
    }

    /** The documented default, as written in a file. */
    public String defaultText() {
        return defaultText;
    }

    /** The default value (the same type {@link RouterSettings#get} returns). */
    public Object defaultValue() {
        return defaultValue;
    }

    /** True if changing this setting takes a router restart; false if it applies live. */
    public boolean requiresRestart() {
        return restart;
    }

    /** What a valid value looks like, for error messages. */
    public String expected() {
        return switch (kind) {
            case INT -> "an integer " + min + ".." + max;
            case BYTES -> kind.expected + " in " + min + ".." + max;
            case THREADS -> "auto or a thread count 1.." + max;
            case DURATION -> kind.expected + " up to " + max + "s";
            default -> kind.expected;
        };
    }

    /** Case-insensitive lookup by key, or null. */
    static Setting byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equalsIgnoreCase(key)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Parses a value of this setting.
     *
     * @throws IllegalArgumentException with {@link #expected()} as the message
     */
    Object parse(String text) {
        Object v = parseWith(kind, min, max, text);
        if (v == null) {
            throw new IllegalArgumentException(expected());
        }
        return v;
    }

    /** The canonical spelling of a value of this setting. */
    String format(Object value) {
        return switch (kind) {
            case BOOL -> (Boolean) value ? "on" : "off";
            case INT, BYTES -> value.toString();
            case THREADS -> ((Integer) value) == 0 ? "auto" : value.toString();
            case DURATION -> formatDuration((Duration) value);
            case TRANSPORT -> ((Transport) value).name().toLowerCase(Locale.ROOT);
            case ADDRESS_OR_OFF -> value instanceof Endpoint e ? e.toString() : "off";
            case SOCKET_PATH -> (String) value;
        };
    }

    /** Null if the text is not a valid value. */
    private static Object parseWith(Kind kind, long min, long max, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        switch (kind) {
            case BOOL -> {
                return switch (t) {
                    case "on", "true", "yes" -> Boolean.TRUE;
                    case "off", "false", "no" -> Boolean.FALSE;
                    default -> null;
                };
            }
            case INT -> {
                long v = parseUnsigned(t, 1);
                return v >= min && v <= max ? Integer.valueOf((int) v) : null;
            }
            case BYTES -> {
                long unit = 1;
                if (t.endsWith("kib") || t.endsWith("mib") || t.endsWith("gib")) {
                    unit = unitOf(t.charAt(t.length() - 3));
                    t = t.substring(0, t.length() - 3);
                } else if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
                    unit = unitOf(t.charAt(t.length() - 1));
                    t = t.substring(0, t.length() - 1);
                }
                long v = parseUnsigned(t, unit);
                return v >= min && v <= max ? Integer.valueOf((int) v) : null;
            }
            case THREADS -> {
                if (t.equals("auto")) {
                    return 0;
                }
                long v = parseUnsigned(t, 1);
                return v >= min && v <= max ? Integer.valueOf((int) v) : null;
            }
            case DURATION -> {
                Duration d = parseDuration(t);
                return d != null && d.compareTo(Duration.ofSeconds(max)) <= 0 ? d : null;
            }
            case TRANSPORT -> {
                return switch (t) {
                    case "auto" -> Transport.AUTO;
                    case "native" -> Transport.NATIVE;
                    case "nio" -> Transport.NIO;
                    case "uring" -> Transport.URING;
                    default -> null;
                };
            }
            case ADDRESS_OR_OFF -> {
                if (t.equals("off")) {
                    return "off";
                }
                try {
                    return Endpoint.parse(text);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
            case SOCKET_PATH -> {
                if (t.equals("auto") || t.equals("off")) {
                    return t;
                }
                // sun_path holds 108 bytes including the terminating NUL
                boolean ok = text.startsWith("/") && text.indexOf('\0') < 0
                        && text.getBytes(StandardCharsets.UTF_8).length <= 107;
                return ok ? text : null;
            }
        }
        return null;
    }

    private static long unitOf(char c) {
        return switch (c) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            default -> 1L << 30;
        };
    }

    /** A decimal integer times {@code unit}, or -1; at most 10 digits so nothing overflows. */
    private static long parseUnsigned(String t, long unit) {
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long v = Long.parseLong(t);
        return v > Long.MAX_VALUE / unit ? Long.MAX_VALUE : v * unit;
    }

    /** "0", "250ms", "10s", "2m", "1h", or a plain number of seconds. */
    private static Duration parseDuration(String t) {
        String digits;
        long unitMillis;
        if (t.endsWith("ms")) {
            digits = t.substring(0, t.length() - 2);
            unitMillis = 1;
        } else if (t.endsWith("s")) {
            digits = t.substring(0, t.length() - 1);
            unitMillis = 1000;
        } else if (t.endsWith("m")) {
            digits = t.substring(0, t.length() - 1);
            unitMillis = 60_000;
        } else if (t.endsWith("h")) {
            digits = t.substring(0, t.length() - 1);
            unitMillis = 3_600_000;
        } else {
            digits = t;
            unitMillis = 1000;
        }
        long v = parseUnsigned(digits, 1);
        return v < 0 ? null : Duration.ofMillis(v * unitMillis);
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
