package io.switchyard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Random valid configurations and their pieces, for round-trip, diff and fuzz tests. */
final class RandomConfigs {
    private RandomConfigs() {}

    static Key32 key(Random rnd) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return Key32.of(b);
    }

    static IpPrefix prefix(Random rnd) {
        byte[] a = new byte[rnd.nextInt(3) == 0 ? 16 : 4];
        rnd.nextBytes(a);
        if (a.length == 16 && rnd.nextBoolean()) {
            for (int i = 4 + rnd.nextInt(6); i < 16; i++) {
                a[i] = 0;
            }
        }
        return IpPrefix.of(a, rnd.nextInt(a.length * 8 + 1));
    }

    static Endpoint endpoint(Random rnd) {
        int port = 1 + rnd.nextInt(65535);
        return switch (rnd.nextInt(3)) {
            case 0 -> new Endpoint(IpLiterals.format(prefix4(rnd)), port);
            case 1 -> {
                byte[] a = new byte[16];
                rnd.nextBytes(a);
                a[rnd.nextInt(8) * 2] = 0;
                yield new Endpoint(IpLiterals.format(a), port);
            }
            default -> new Endpoint("peer-" + rnd.nextInt(1000) + ".example" + (rnd.nextBoolean() ? ".net" : ""), port);
        };
    }

    private static byte[] prefix4(Random rnd) {
        byte[] a = new byte[4];
        rnd.nextBytes(a);
        return a;
    }

    static PeerConfig peer(Random rnd, Key32 publicKey) {
        var ips = new ArrayList<IpPrefix>();
        int n = rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            ips.add(prefix(rnd));
        }
        return new PeerConfig(publicKey,
                rnd.nextBoolean() ? Optional.of(key(rnd)) : Optional.empty(),
                Optional.empty(), ips,
                rnd.nextBoolean() ? Optional.of(endpoint(rnd)) : Optional.empty(),
                rnd.nextInt(3) == 0 ? rnd.nextInt(65536) : 0);
    }

    static RouterSettings settings(Random rnd) {
        RouterSettings s = RouterSettings.defaults();
        for (Setting setting : Setting.values()) {
            if (rnd.nextInt(3) != 0) {
                continue;
            }
            String v = switch (setting.kind) {
                case BOOL -> rnd.nextBoolean() ? "on" : "off";
                case INT, BYTES, THREADS -> Long.toString(setting.min + (long) (rnd.nextDouble() * (setting.max - setting.min)));
                case DURATION -> rnd.nextInt(1000) + (rnd.nextBoolean() ? "ms" : "s");
                case TRANSPORT -> List.of("auto", "native", "nio").get(rnd.nextInt(3));
                case ADDRESS_OR_OFF -> rnd.nextBoolean() ? "off" : endpoint(rnd).toString();
                case SOCKET_PATH -> List.of("auto", "off", "/run/sy/" + rnd.nextInt(100) + ".sock").get(rnd.nextInt(3));
            };
            s = s.with(setting, v);
        }
        return s;
    }

    static Config config(Random rnd, int peers) {
        var list = new ArrayList<PeerConfig>();
        for (int i = 0; i < peers; i++) {
            list.add(peer(rnd, key(rnd)));
        }
        var wgQuick = new ArrayList<InterfaceConfig.WgQuickSetting>();
        if (rnd.nextBoolean()) {
            wgQuick.add(new InterfaceConfig.WgQuickSetting("Address", "10.0.0.1/24"));
            wgQuick.add(new InterfaceConfig.WgQuickSetting("PostUp", "echo up %i"));
        }
        var iface = new InterfaceConfig(key(rnd), Optional.empty(), rnd.nextInt(65536),
                rnd.nextBoolean() ? 0 : rnd.nextLong(1L << 32), wgQuick);
        return new Config("wg" + rnd.nextInt(10), iface, settings(rnd), list);
    }
}
