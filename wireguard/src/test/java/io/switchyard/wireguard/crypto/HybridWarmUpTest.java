package io.switchyard.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The default engine hands long messages from the JDK cipher to the Vector API kernel once the
 * warm-up thread has measured the kernel faster, and what it seals never changes across the
 * switch (checked against the JDK cipher before, during and after). Only where the kernel is
 * usable (AVX-512 and {@code --add-modules jdk.incubator.vector}, which the build's test JVMs get).
 */
class HybridWarmUpTest {
    @Test
    void longMessagesMoveToTheKernelOnceItIsWarm() throws InterruptedException {
        assumeTrue(HybridChaCha20Poly1305.vectorKernelUsable(), HybridChaCha20Poly1305.longMessageEngine());
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] key = new byte[32];
        rnd.nextBytes(key);
        Aead hybrid = Aead.of(key);
        Aead jdk = new JdkChaCha20Poly1305(key);
        HybridChaCha20Poly1305.warmUp();
        long deadline = System.nanoTime() + 120_000_000_000L;
        long counter = 0;
        while (!HybridChaCha20Poly1305.vectorKernelActive() && System.nanoTime() < deadline) {
            sameAsJdk(hybrid, jdk, counter++, 257 + rnd.nextInt(1200));
            Thread.sleep(2);
        }
        assertTrue(HybridChaCha20Poly1305.vectorKernelActive(), HybridChaCha20Poly1305.longMessageEngine());
        assertTrue(hybrid.engine().contains("vector"), hybrid.engine());
        assertTrue(HybridChaCha20Poly1305.longMessageEngine().startsWith("the Vector API kernel"),
                HybridChaCha20Poly1305.longMessageEngine());
        for (int i = 0; i < 200; i++) {
            sameAsJdk(hybrid, jdk, counter++, 257 + rnd.nextInt(1200));
        }
    }

    private static void sameAsJdk(Aead hybrid, Aead jdk, long counter, int len) {
        ByteBuffer h = ByteBuffer.allocateDirect(len + 32);
        ByteBuffer j = ByteBuffer.allocateDirect(len + 32);
        for (int i = 0; i < len; i++) {
            h.put(8 + i, (byte) (i * 31 + counter));
            j.put(8 + i, (byte) (i * 31 + counter));
        }
        hybrid.seal(counter, h, 8, len);
        jdk.seal(counter, j, 8, len);
        assertEquals(j, h, "counter " + counter + ", len " + len);
        assertEquals(len, hybrid.open(counter, j, 8, len + 16));
    }
}
