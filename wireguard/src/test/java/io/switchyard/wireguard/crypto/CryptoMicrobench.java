package io.switchyard.wireguard.crypto;

import io.switchyard.wireguard.noise.CookieChecker;
import io.switchyard.wireguard.noise.Environment;
import io.switchyard.wireguard.noise.Handshake;
import io.switchyard.wireguard.noise.Noise;
import io.switchyard.wireguard.noise.StaticIdentity;
import io.switchyard.wireguard.WireGuard;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A main()-style microbenchmark of the crypto engines (the bench module does not depend on router
 * yet, so JMH cannot see these classes). Each comparison alternates its contenders A, B, A, B
 * within one run after a discarded warm-up round and prints median ns/op, the spread (min-max
 * of the rounds) and bytes allocated per op. Not a test: run it by hand, see docs/perf-crypto.md.
 */
public final class CryptoMicrobench {
    private static final int ROUNDS = Integer.getInteger("rounds", 7);
    private static final long ROUND_NANOS = Long.getLong("roundMillis", 300) * 1_000_000L;
    private static volatile long sink;

    interface Op {
        void run(int i) throws Exception;
    }

    private static final Object THREADS;
    private static final java.lang.reflect.Method ALLOCATED;

    static {
        try {
            // The management modules are not read by this module at compile time; at run time
            // (class path) they are, so reach them reflectively.
            THREADS = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocated() throws Exception {
        return (Long) ALLOCATED.invoke(THREADS, Thread.currentThread().threadId());
    }

    public static void main(String[] args) throws Exception {
        String only = args.length > 0 ? args[0] : "all";
        if (only.equals("all") || only.equals("aead")) {
            for (int size : new int[] {64, 1420}) {
                aead(size);
            }
        }
        if (only.equals("all") || only.equals("x25519")) {
            x25519();
        }
        if (only.equals("all") || only.equals("handshake")) {
            handshake();
        }
    }

    private static void aead(int size) throws Exception {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        ByteBuffer jdkBuf = ByteBuffer.allocateDirect(16 + size + 16);
        ByteBuffer inPlaceBuf = ByteBuffer.allocateDirect(16 + size + 16);
        Aead jdk = new JdkChaCha20Poly1305(key);
        Aead inPlace = new InPlaceChaCha20Poly1305(key);
        Aead hybrid = Aead.of(key);
        ByteBuffer hybridBuf = ByteBuffer.allocateDirect(16 + size + 16);
        org.bouncycastle.crypto.modes.ChaCha20Poly1305 bc = new org.bouncycastle.crypto.modes.ChaCha20Poly1305();
        byte[] bcBuf = new byte[16 + size + 16];
        org.bouncycastle.crypto.params.KeyParameter bcKey = new org.bouncycastle.crypto.params.KeyParameter(key);
        long[] counter = {0};
        Map<String, Op> seal = new LinkedHashMap<>();
        seal.put("seal jdk-cipher " + size, i -> jdk.seal(counter[0]++, jdkBuf, 16, size));
        seal.put("seal in-place-java " + size, i -> inPlace.seal(counter[0]++, inPlaceBuf, 16, size));
        seal.put("seal hybrid(default) " + size, i -> hybrid.seal(counter[0]++, hybridBuf, 16, size));
        seal.put("seal bc-engine(byte[]) " + size, i -> {
            byte[] nonce = Aead.nonce(counter[0]++);
            bc.init(true, new org.bouncycastle.crypto.params.ParametersWithIV(bcKey, nonce));
            int n = bc.processBytes(bcBuf, 16, size, bcBuf, 16);
            bc.doFinal(bcBuf, 16 + n);
        });
        compare(seal);

        // Open a fixed sealed packet: restore the ciphertext each time (a 1.4 KB copy in both arms).
        ByteBuffer sealed = ByteBuffer.allocateDirect(16 + size + 16);
        new InPlaceChaCha20Poly1305(key).seal(5, sealed, 16, size);
        Map<String, Op> open = new LinkedHashMap<>();
        open.put("open jdk-cipher " + size, i -> {
            jdkBuf.put(0, sealed, 0, sealed.capacity());
            if (jdk.open(5, jdkBuf, 16, size + 16) < 0) throw new AssertionError();
        });
        open.put("open in-place-java " + size, i -> {
            inPlaceBuf.put(0, sealed, 0, sealed.capacity());
            if (inPlace.open(5, inPlaceBuf, 16, size + 16) < 0) throw new AssertionError();
        });
        compare(open);
    }

    private static void x25519() throws Exception {
        byte[] a = X25519.generatePrivateKey();
        byte[] pub = X25519.publicKey(X25519.generatePrivateKey());
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("x25519 bc-rfc7748", i -> sink += X25519.sharedSecret(a, pub)[0]);
        ops.put("x25519 jdk-xdh", i -> sink += JdkX25519.sharedSecret(a, pub)[0]);
        compare(ops);
    }

    /** Responder work per initiation: mac1 check, consume, respond, derive keys. */
    private static void handshake() throws Exception {
        long[] nanos = {0};
        Instant[] wall = {Instant.parse("2026-01-01T00:00:00Z")};
        Environment env = new Environment(X25519::generatePrivateKey, () -> wall[0], () -> nanos[0], WireGuard.IDENTIFIER);
        Noise initiator = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        Noise responder = new Noise(new StaticIdentity(X25519.generatePrivateKey()), env);
        Handshake toResponder = initiator.newPeer(responder.identity().publicKey(), null);
        Handshake toInitiator = responder.newPeer(initiator.identity().publicKey(), null);
        CookieChecker checker = new CookieChecker(responder.identity(), () -> nanos[0]);
        int n = 20_000;
        List<byte[]> inits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            wall[0] = wall[0].plus(Duration.ofSeconds(1));
            inits.add(initiator.createInitiation(toResponder, i + 1));
        }
        int[] next = {0};
        Map<String, Op> ops = new LinkedHashMap<>();
        ops.put("responder handshake (mac1+consume+respond+keys)", i -> {
            if (next[0] == n) {
                throw new IllegalStateException("increase n");
            }
            byte[] m = inits.get(next[0]++);
            nanos[0] += 25_000_000L; // past the 20 ms flood limit
            if (!checker.checkMac1(m)) throw new AssertionError();
            Handshake h = responder.consumeInitiation(m, k -> toInitiator);
            responder.createResponse(h, 77);
            sink += responder.beginSession(h).sendKey()[0];
        });
        compare(ops, 3);
    }

    private static void compare(Map<String, Op> ops) throws Exception {
        compare(ops, ROUNDS);
    }

    private static void compare(Map<String, Op> ops, int rounds) throws Exception {
        Map<String, List<Double>> nsPerOp = new LinkedHashMap<>();
        Map<String, Double> allocPerOp = new LinkedHashMap<>();
        for (int round = -1; round < rounds; round++) { // round -1 is warm-up, discarded
            for (Map.Entry<String, Op> e : ops.entrySet()) {
                long alloc0 = allocated();
                long start = System.nanoTime();
                long count = 0;
                long end;
                do {
                    for (int i = 0; i < 64; i++) {
                        e.getValue().run(i);
                    }
                    count += 64;
                    end = System.nanoTime();
                } while (end - start < (round < 0 ? ROUND_NANOS * 3 : ROUND_NANOS));
                long alloc = allocated() - alloc0;
                if (round >= 0) {
                    nsPerOp.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((end - start) / (double) count);
                    allocPerOp.put(e.getKey(), alloc / (double) count);
                }
            }
        }
        for (Map.Entry<String, List<Double>> e : nsPerOp.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            v.sort(null);
            System.out.printf("%-52s median %10.1f ns/op  (min %.1f, max %.1f; %d rounds)  alloc %6.0f B/op%n",
                    e.getKey(), v.get(v.size() / 2), v.get(0), v.get(v.size() - 1), v.size(), allocPerOp.get(e.getKey()));
        }
    }
}
