package io.switchyard.bench.protocol;

import io.switchyard.wireguard.routing.AllowedIps;
import java.util.SplittableRandom;
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
 * IPv4 longest-prefix match of random addresses that all hit a prefix: our {@link AllowedIps}
 * trie against a linear scan of (network, mask) arrays keeping the longest match (baseline), at
 * 10, 1,000 and 100,000 prefixes (random /16 to /32, peer = index).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AllowedIpsBench {
    @Param({"10", "1000", "100000"})
    public int prefixes;

    private final AllowedIps<Integer> trie = new AllowedIps<>();
    private int[] networks;
    private int[] masks;
    private int[] bits;
    private int[] probes;
    private int next;

    @Setup
    public void setup() {
        var random = new SplittableRandom(42);
        networks = new int[prefixes];
        masks = new int[prefixes];
        bits = new int[prefixes];
        for (int i = 0; i < prefixes; i++) {
            int b = 16 + random.nextInt(17);
            int mask = b == 0 ? 0 : -1 << (32 - b);
            networks[i] = random.nextInt() & mask;
            masks[i] = mask;
            bits[i] = b;
            trie.insertV4(networks[i], b, i);
        }
        probes = new int[4096];
        for (int i = 0; i < probes.length; i++) {
            int p = random.nextInt(prefixes);
            probes[i] = networks[p] | (random.nextInt() & ~masks[p]);
        }
    }

    @Benchmark
    public Integer trie() {
        return trie.lookupV4(probes[next++ & 4095]);
    }

    @Benchmark
    public int linearScan() {
        int addr = probes[next++ & 4095];
        int best = -1;
        int bestBits = -1;
        for (int i = 0; i < networks.length; i++) {
            if ((addr & masks[i]) == networks[i] && bits[i] > bestBits) {
                best = i;
                bestBits = bits[i];
            }
        }
        return best;
    }
}
