package io.switchyard.control;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchyard.config.Config;
import io.switchyard.config.PeerConfig;
import io.switchyard.control.testing.MemoryTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random set requests, from a grammar of the protocol's keys with good and broken values and then
 * with random byte damage: {@link Uapi#applySet} may only return a valid configuration or raise
 * {@link UapiException} with a documented errno, never anything else.
 */
class UapiFuzzTest {
    private static final String[] KEYS = {"private_key", "listen_port", "fwmark", "replace_peers", "public_key",
        "preshared_key", "endpoint", "persistent_keepalive_interval", "replace_allowed_ips", "allowed_ip",
        "remove", "update_only", "protocol_version", "bogus", ""};

    @Test
    void parserRaisesOnlyUapiException() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        // Printed up front, so any failure (an assertion without it, an I/O error, a timeout) can
        // be replayed with -Dfuzz.seed=N.
        System.out.println("UapiFuzzTest seed " + seed + " (replay: -Dfuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        Config base = baseConfig();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            keys.add(Uapi.hex(MemoryTarget.randomPublic()));
        }
        int ok = 0;
        int refused = 0;
        for (int round = 0; round < 20_000; round++) {
            List<String> lines = new ArrayList<>();
            int n = r.nextInt(12);
            for (int i = 0; i < n; i++) {
                String key = KEYS[r.nextInt(KEYS.length)];
                String line = key + (r.nextInt(40) == 0 ? "" : "=") + value(key, r, keys);
                if (r.nextInt(4) == 0) {
                    line = damage(line, r);
                }
                lines.add(line);
            }
            try {
                Config next = Uapi.applySet(base, 51820, lines);
                checkValid(next, "seed " + seed + ": " + lines);
                ok++;
            } catch (UapiException e) {
                if (e.errno() != UapiException.EINVAL && e.errno() != UapiException.EPROTO) {
                    fail("seed " + seed + ": undocumented errno " + e.errno() + " for " + lines);
                }
                refused++;
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": " + lines, e);
            }
        }
        assertTrue(ok > 1000 && refused > 1000, "both outcomes exercised: ok=" + ok + " refused=" + refused);
    }

    private static Config baseConfig() {
        return MemoryTarget.config("fz", UapiTest.PRIV, List.of(
                MemoryTarget.peer(UapiTest.PEER_A, "10.0.0.0/24", "fd00::/64"),
                MemoryTarget.peer(UapiTest.PEER_B, "10.0.1.0/24")));
    }

    private static void checkValid(Config c, String context) {
        var keys = new HashSet<>();
        var prefixes = new HashSet<>();
        for (PeerConfig p : c.peers()) {
            assertTrue(keys.add(p.publicKey()), () -> context + ": duplicate peer");
            for (var ip : p.allowedIps()) {
                assertTrue(prefixes.add(ip), () -> context + ": prefix " + ip + " owned twice");
            }
        }
    }

    private static String value(String key, Random r, List<String> keys) {
        return switch (key) {
            case "private_key", "preshared_key", "public_key" -> switch (r.nextInt(4)) {
                case 0 -> Uapi.hex(MemoryTarget.newPrivateKey());
                case 1 -> "0".repeat(64);
                default -> keys.get(r.nextInt(keys.size()));
            };
            case "listen_port", "persistent_keepalive_interval", "fwmark" ->
                Long.toString(r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(70000));
            case "endpoint" -> r.nextBoolean() ? "192.0.2." + r.nextInt(300) + ":" + r.nextInt(70000)
                    : "[fd00::" + Integer.toHexString(r.nextInt(0x20000)) + "]:" + r.nextInt(70000);
            case "allowed_ip" -> r.nextBoolean() ? "10." + r.nextInt(3) + "." + r.nextInt(300) + ".0/" + r.nextInt(34)
                    : "fd00:" + Integer.toHexString(r.nextInt(0x20000)) + "::/" + r.nextInt(130);
            case "protocol_version" -> Integer.toString(r.nextInt(3));
            default -> r.nextInt(5) == 0 ? "false" : "true";
        };
    }

    private static String damage(String line, Random r) {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0) {
            return new String(new byte[] {(byte) r.nextInt(256)}, StandardCharsets.UTF_8);
        }
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        String s = new String(b, StandardCharsets.UTF_8);
        return r.nextInt(5) == 0 ? s.substring(0, r.nextInt(s.length() + 1)) : s;
    }
}
