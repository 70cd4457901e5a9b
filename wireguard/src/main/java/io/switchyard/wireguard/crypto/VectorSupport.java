package io.switchyard.wireguard.crypto;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Whether {@link ChaCha20Poly1305Lanes} may be used in this JVM, and whether it has earned it.
 *
 * <p><b>Usable</b> is decided once, without touching {@code jdk.incubator.vector} unless the
 * module is there (the class that imports it is loaded only then).
 *
 * <p><b>Warm</b>: until C2 has compiled it, Vector API code runs as boxed Java, hundreds of times
 * slower than the JDK cipher; measured, a fresh demo hub forwarded a few hundred packets a
 * second of its 40k for the first 7 s and dropped the rest. So {@link HybridChaCha20Poly1305}
 * sends long messages to the JDK cipher until a daemon thread, started when a hub starts or by
 * the first long message this JVM sees, has timed the two engines against each other on its own
 * buffers and the kernel won three rounds in a row; then it flips {@link #warm} and every engine
 * switches. Each round also has each engine open what the other sealed; if they ever disagree,
 * or the kernel never wins within {@link #WARM_UP_LIMIT_NANOS}, the JDK cipher stays.
 */
final class VectorSupport {
    /** System property that turns the vector kernel off ({@code false}); on by default. */
    static final String PROPERTY = "switchyard.crypto.vector";
    /** Whether the JVM resolved {@code jdk.incubator.vector}, whatever its vector width. */
    static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    static final boolean USABLE;
    /** What is missing, for logs and the exception of {@link InPlaceChaCha20Poly1305#vectorised}; {@code ""} if usable. */
    static final String WHY_NOT;
    static final long WARM_UP_LIMIT_NANOS = 60_000_000_000L;

    /** Set once the kernel has been measured faster than the JDK cipher in this JVM. */
    static volatile boolean warm;
    /** How long that took from the warm-up's start (for diagnostics); -1 until then. */
    static volatile long warmAfterNanos = -1;
    /** Why the warm-up gave the kernel up (it disagreed with the JDK cipher), or {@code null}. */
    static volatile String failure;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    static {
        String why;
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            why = "-D" + PROPERTY + "=true (it is set to false)";
        } else if (!MODULE) {
            why = "the JVM option --add-modules jdk.incubator.vector";
        } else {
            int blocks = ChaCha20Poly1305Lanes.blocksPerPass();
            why = blocks >= 16 ? "" : "vectors of 16 ints (AVX-512); this JVM's preferred vectors hold " + blocks;
        }
        WHY_NOT = why;
        USABLE = why.isEmpty();
    }

    private VectorSupport() {
    }

    /** Starts the warm-up thread if the kernel is usable and it has not run (a hub's start, or the first long message). */
    static void startWarmUp() {
        if (USABLE && !STARTED.get() && STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(VectorSupport::warmUp, "switchyard-aead-warmup");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        }
    }

    /**
     * Seals and opens rounds of 200 messages of a few sizes above 256 bytes with each engine,
     * alternating, until the kernel's round is the shorter three times running.
     */
    private static void warmUp() {
        long start = System.nanoTime();
        byte[] key = new byte[Aead.KEY_SIZE];
        new SplittableRandom(start).nextBytes(key);
        InPlaceChaCha20Poly1305 lanes = InPlaceChaCha20Poly1305.vectorisedAnyWidth(key);
        JdkChaCha20Poly1305 jdk = new JdkChaCha20Poly1305(key);
        ByteBuffer packet = ByteBuffer.allocateDirect(2048);
        int[] sizes = {1420, 300, 1436, 777, 1280, 513};
        long counter = 0;
        int won = 0;
        while (System.nanoTime() - start < WARM_UP_LIMIT_NANOS) {
            long t0 = System.nanoTime();
            counter = round(lanes, packet, sizes, counter);
            long t1 = System.nanoTime();
            counter = round(jdk, packet, sizes, counter);
            long t2 = System.nanoTime();
            if (!interoperates(lanes, jdk, packet, sizes, counter)) {
                failure = "the Vector API kernel and the JDK cipher disagreed in the warm-up check; the JDK cipher stays";
                break;
            }
            counter += 2L * sizes.length;
            won = t1 - t0 < t2 - t1 ? won + 1 : 0;
            // Half the time asleep: the hub is starting beside it, on cores it may need.
            LockSupport.parkNanos(t2 - t0);
            if (won == 3) {
                warmAfterNanos = System.nanoTime() - start;
                warm = true;
                break;
            }
        }
        lanes.destroy();
        jdk.destroy();
    }

    /**
     * Each engine opens what the other sealed, at every size (an engine that only agrees with
     * itself, with a wrong keystream say, must not take over: its packets would not open anywhere).
     */
    private static boolean interoperates(Aead lanes, Aead jdk, ByteBuffer packet, int[] sizes, long counter) {
        for (int size : sizes) {
            for (int i = 0; i < size; i++) {
                packet.put(16 + i, (byte) (i ^ counter));
            }
            if (jdk.open(counter, packet, 16, lanes.seal(counter, packet, 16, size)) != size
                    || lanes.open(counter + 1, packet, 16, jdk.seal(counter + 1, packet, 16, size)) != size) {
                return false;
            }
            for (int i = 0; i < size; i++) {
                if (packet.get(16 + i) != (byte) (i ^ counter)) {
                    return false;
                }
            }
            counter += 2;
        }
        return true;
    }

    private static long round(Aead aead, ByteBuffer packet, int[] sizes, long counter) {
        for (int i = 0; i < 200; i++, counter++) {
            int size = sizes[i % sizes.length];
            int sealed = aead.seal(counter, packet, 16, size);
            if (aead.open(counter, packet, 16, sealed) != size) {
                throw new IllegalStateException(aead.engine() + " failed to open its own seal of " + size + " bytes");
            }
        }
        return counter;
    }
}
