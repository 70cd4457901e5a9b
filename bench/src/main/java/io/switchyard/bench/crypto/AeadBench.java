package io.switchyard.bench.crypto;

import io.switchyard.wireguard.crypto.Aead;
import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;
import io.switchyard.wireguard.crypto.InPlaceChaCha20Poly1305;
import io.switchyard.wireguard.crypto.JdkChaCha20Poly1305;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ChaCha20-Poly1305 seal + open of one transport payload in place, per engine: the JDK
 * {@code Cipher} (baseline) against our in-place and hybrid engines, at 64 and 1,420 bytes.
 * One op = seal then open of the same counter, so the buffer returns to plaintext each time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AeadBench {
    @Param({"jdk", "inplace", "hybrid", "vector"})
    public String engine;

    @Param({"64", "1420"})
    public int size;

    private Aead aead;
    private ByteBuffer packet;
    private long counter;

    @Setup
    public void setup() {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        aead = switch (engine) {
            case "jdk" -> new JdkChaCha20Poly1305(key);
            case "inplace" -> new InPlaceChaCha20Poly1305(key);
            case "hybrid" -> new HybridChaCha20Poly1305(key);
            case "vector" -> InPlaceChaCha20Poly1305.vectorised(key);
            default -> throw new IllegalArgumentException(engine);
        };
        packet = ByteBuffer.allocateDirect(size + 16 + 32);
    }

    @Benchmark
    public int sealOpen() {
        long c = counter++;
        int sealed = aead.seal(c, packet, 16, size);
        return aead.open(c, packet, 16, sealed);
    }
}
