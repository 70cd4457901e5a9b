package io.switchyard.bench.e2e;

import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.config.RouterSettings;
import io.switchyard.config.Setting;
import io.switchyard.router.Hub;
import io.switchyard.wireguard.Keys;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a configured but idle peer costs a running hub (issue 8: 100,000 configured peers at
 * most 2 KiB each). Starts a hub with no peers and one with N, each peer a public key and a /32
 * (random 32-byte keys: the hub does no Diffie-Hellman until a peer handshakes), and compares
 * the retained heap after full GCs, the live threads and the hub's own count of running actors.
 * The Config objects themselves are kept alive in both measurements and subtracted, so the
 * figure is the hub's cost (its peer engine, actor, mailbox, trie entry and counters), not the
 * caller's.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Xmx4g -cp "bench/target/switchyard-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" \
 *   io.switchyard.bench.e2e.ConfiguredPeersMemory [peers=100000] [rounds=3]
 * </pre>
 */
public final class ConfiguredPeersMemory {
    private ConfiguredPeersMemory() {}

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    static Config config(int peers, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<PeerConfig> list = new ArrayList<>(peers);
        for (int i = 0; i < peers; i++) {
            byte[] key = new byte[32];
            for (int b = 0; b < 32; b++) {
                key[b] = (byte) random.nextInt();
            }
            byte[] ip = {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
            list.add(PeerConfig.of(Key32.of(key), List.of(IpPrefix.of(ip, 32))));
        }
        RouterSettings s = RouterSettings.defaults().with(Setting.CONTROL_SOCKET, "off")
                .with(Setting.STATUS_INTERVAL, "0");
        return new Config("mem", InterfaceConfig.of(Key32.of(Keys.generatePrivateKey())), s, list);
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "# %d configured idle peers per hub, %d rounds, heap retained after GC%n", n, rounds);
        for (int round = 0; round < rounds; round++) {
            Config empty = config(0, round);
            Config full = config(n, round);
            long base;
            int baseThreads;
            try (Hub hub = Hub.start(empty)) {
                Thread.sleep(500);
                base = usedAfterGc();
                baseThreads = ManagementFactory.getThreadMXBean().getThreadCount();
            }
            long withPeers;
            int threads;
            long t0 = System.nanoTime();
            try (Hub hub = Hub.start(full)) {
                double startMs = (System.nanoTime() - t0) / 1e6;
                Thread.sleep(2000); // let every peer actor run its first activation and go idle
                withPeers = usedAfterGc();
                threads = ManagementFactory.getThreadMXBean().getThreadCount();
                long peersNow = hub.stats().counters().get("peers");
                if (Boolean.getBoolean("hold")) { // -Dhold=true: time for jcmd GC.class_histogram
                    System.out.println("HOLD " + ProcessHandle.current().pid());
                    Thread.sleep(30_000);
                }
                double perPeer = (withPeers - base) / (double) n;
                System.out.printf(Locale.ROOT,
                        "round %d: %,d peers, hub start %.0f ms, %.0f bytes/peer retained (%.2f KiB), "
                                + "platform threads %d with none vs %d with all, peers counted %d%n",
                        round, n, startMs, perPeer, perPeer / 1024, baseThreads, threads, peersNow);
            }
            // keep the configs reachable through both measurements
            if (empty.peers().size() + full.peers().size() < 0) {
                System.out.println();
            }
        }
    }
}
