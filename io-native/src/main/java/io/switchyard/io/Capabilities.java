package io.switchyard.io;

import io.switchyard.io.linux.Errno;
import io.switchyard.io.linux.LibC;
import io.switchyard.io.linux.Linux;
import io.switchyard.io.linux.uring.UringProbe;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What this process can use, probed once at first use, each with the reason when it cannot
 * ("UDP_GRO: setsockopt ENOPROTOOPT (kernel too old)"). The probe opens a throwaway UDP socket
 * and sets each option on it; an option the kernel accepts is taken as available. Shown by the
 * startup log and {@code switchyard doctor}.
 */
public final class Capabilities {
    private static volatile Capabilities probed;

    private final Map<Capability, String> unavailable;

    private Capabilities(Map<Capability, String> unavailable) {
        this.unavailable = unavailable;
    }

    /** The probe result (cached after the first call). */
    public static Capabilities probe() {
        Capabilities c = probed;
        if (c == null) {
            synchronized (Capabilities.class) {
                c = probed;
                if (c == null) {
                    c = new Capabilities(run());
                    probed = c;
                    System.getLogger("io.switchyard.io").log(System.Logger.Level.INFO,
                            "datagram I/O capabilities:\n{0}", c);
                }
            }
        }
        return c;
    }

    public boolean available(Capability c) {
        return !unavailable.containsKey(c);
    }

    /** Why {@code c} is unavailable, or null when it is available. */
    public String reason(Capability c) {
        return unavailable.get(c);
    }

    @Override
    public String toString() {
        var sb = new StringBuilder();
        for (Capability c : Capability.values()) {
            sb.append(c.name().toLowerCase(Locale.ROOT)).append(": ")
                    .append(available(c) ? "yes" : "no (" + reason(c) + ")").append('\n');
        }
        return sb.toString();
    }

    private static Map<Capability, String> run() {
        Map<Capability, String> off = new EnumMap<>(Capability.class);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        String nativeReason = null;
        if (!os.contains("linux")) {
            nativeReason = "not Linux (" + os + ")";
        } else if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            nativeReason = "struct layouts are only defined for x86_64 and aarch64, not " + arch;
        }
        if (nativeReason == null) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment cs = LibC.newCallState(a);
                int fd = LibC.socket(cs, Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    nativeReason = "socket: " + Errno.name(-fd);
                } else {
                    try {
                        probeOption(a, cs, fd, Linux.SOL_UDP, Linux.UDP_SEGMENT, 1200, Capability.GSO, "UDP_SEGMENT", off);
                        probeOption(a, cs, fd, Linux.SOL_UDP, Linux.UDP_GRO, 1, Capability.GRO, "UDP_GRO", off);
                        probeOption(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_ZEROCOPY, 1, Capability.ZEROCOPY, "SO_ZEROCOPY", off);
                        probeOption(a, cs, fd, Linux.SOL_SOCKET, Linux.SO_RXQ_OVFL, 1, Capability.RXQ_OVERFLOW, "SO_RXQ_OVFL", off);
                    } finally {
                        LibC.close(cs, fd);
                    }
                }
            } catch (Throwable t) {
                // FFM refused (no --enable-native-access, or the symbol lookup failed).
                nativeReason = "FFM unavailable: " + t;
            }
        }
        if (nativeReason == null) {
            String uring = UringProbe.probe().unavailable();
            if (uring != null) {
                off.put(Capability.IO_URING, uring);
            }
        }
        if (nativeReason != null) {
            off.put(Capability.NATIVE, nativeReason);
            off.put(Capability.IO_URING, "needs the native transport: " + nativeReason);
            for (Capability c : new Capability[] {Capability.GSO, Capability.GRO, Capability.ZEROCOPY, Capability.RXQ_OVERFLOW}) {
                off.putIfAbsent(c, "needs the native transport: " + nativeReason);
            }
        }
        return Map.copyOf(off);
    }

    private static void probeOption(Arena a, MemorySegment cs, int fd, int level, int name, int value,
                                    Capability c, String label, Map<Capability, String> off) {
        MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        int r = LibC.setsockopt(cs, fd, level, name, v, Integer.BYTES);
        if (r < 0) {
            off.put(c, "setsockopt " + label + ": " + Errno.name(-r)
                    + (-r == Errno.ENOPROTOOPT ? " (kernel does not support it)" : ""));
        }
    }

    /** A probe result with exactly {@code unavailable} off, each with its reason (tests). */
    static Capabilities withUnavailable(Map<Capability, String> unavailable) {
        return new Capabilities(Map.copyOf(unavailable));
    }

    /**
     * Test seam: makes {@link #probe()} return {@code replacement} (null: probe the real system
     * again on next use), so that a test can see what {@link Datagrams#open} does where the
     * native transport is unavailable. Returns the result it replaced (null if none yet).
     */
    static Capabilities replaceProbe(Capabilities replacement) {
        synchronized (Capabilities.class) {
            Capabilities old = probed;
            probed = replacement;
            return old;
        }
    }
}
