package io.switchyard.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.config.IpPrefix;
import io.switchyard.config.Key32;
import io.switchyard.config.PeerConfig;
import io.switchyard.control.testing.MemoryTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub-sized request through the socket: 50,000 peers set in one request (what {@code wg
 * setconf} sends for a big file) and read back with get. Asserts the content, not the time; the
 * times go to the test output for docs/operations.md.
 */
class ControlScaleTest {
    static final int PEERS = 50_000;

    @Test
    void fiftyThousandPeersInOneSetAndOneGet(@TempDir Path dir) throws Exception {
        MemoryTarget t = new MemoryTarget(MemoryTarget.config("big", MemoryTarget.newPrivateKey(), List.of()));
        List<Key32> keys = new ArrayList<>(PEERS);
        StringBuilder req = new StringBuilder(PEERS * 200).append("set=1\nreplace_peers=true\n");
        byte[] k = new byte[32];
        for (int i = 0; i < PEERS; i++) {
            k[0] = (byte) i;
            k[1] = (byte) (i >> 8);
            k[2] = (byte) (i >> 16);
            k[31] = 1;
            Key32 key = Key32.of(k);
            keys.add(key);
            req.append("public_key=").append(Uapi.hex(key)).append("\nendpoint=192.0.2.").append(i % 250 + 1).append(':')
                    .append(1024 + i % 60000).append("\nreplace_allowed_ips=true\nallowed_ip=10.")
                    .append(i >> 16 & 0xff).append('.').append(i >> 8 & 0xff).append('.').append(i & 0xff)
                    .append("/32\nallowed_ip=fd00::").append(Integer.toHexString(i + 1)).append("/128\n");
        }
        req.append('\n');
        try (ControlServer s = ControlServer.start(dir.resolve("big.sock"), t)) {
            long t0 = System.nanoTime();
            UapiClient.Reply set = UapiClient.request(s.path(), req.toString());
            long t1 = System.nanoTime();
            assertEquals(0, set.errno());
            Config c = t.config();
            assertEquals(PEERS, c.peers().size());
            PeerConfig last = c.peers().get(PEERS - 1);
            assertEquals(keys.get(PEERS - 1), last.publicKey());
            assertEquals(List.of(IpPrefix.parse("10.0.195.79/32"), IpPrefix.parse("fd00::c350/128")), last.allowedIps());

            long t2 = System.nanoTime();
            UapiClient.Reply get = UapiClient.request(s.path(), "get=1\n\n");
            long t3 = System.nanoTime();
            assertEquals(0, get.errno());
            long publicKeys = get.lines().stream().filter(e -> e.getKey().equals("public_key")).count();
            assertEquals(PEERS, publicKeys);
            System.out.printf("control socket, %d peers: set %.0f ms (%d bytes), get %.0f ms (%d lines)%n", PEERS,
                    (t1 - t0) / 1e6, req.length(), (t3 - t2) / 1e6, get.lines().size());
            assertTrue(req.length() < ControlServer.MAX_REQUEST);
        }
    }
}
