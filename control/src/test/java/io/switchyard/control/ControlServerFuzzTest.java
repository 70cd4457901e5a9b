package io.switchyard.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.config.Config;
import io.switchyard.control.testing.MemoryTarget;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and damaged byte streams at the real socket, one connection each, the client closing its
 * side after writing: every reply must be whole {@code ...errno=N\n\n} blocks with a documented
 * errno, the server must keep serving, and the configuration must stay valid.
 */
class ControlServerFuzzTest {
    private static final Pattern REPLY = Pattern.compile(
            "((([a-z_.0-9]+=[^\\n]*\\n)*errno=(0|-5|-22|-71|-90|-95)\\n\\n))*");
    private static final String[] SEEDS = {
        "get=1\n\n", "set=1\nfwmark=5\n\n", "set=1\nreplace_peers=true\npublic_key=%K\nallowed_ip=10.0.0.0/8\n\n",
        "switchyard-get=1\n\n", "switchyard-reload=1\n\n", "set=1\nlisten_port=1\n", "get=1\nx", "set=1\n\nget=1\n\n"};

    @Test
    void randomStreamsGetWellFormedRepliesAndTheServerCarriesOn(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        // Printed up front, so any failure (an assertion without it, an I/O error, a timeout) can
        // be replayed with -Dfuzz.seed=N.
        System.out.println("ControlServerFuzzTest seed " + seed + " (replay: -Dfuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        MemoryTarget t = new MemoryTarget(MemoryTarget.config("fz", MemoryTarget.newPrivateKey(), List.of()));
        String key = Uapi.hex(MemoryTarget.randomPublic());
        try (ControlServer s = ControlServer.start(dir.resolve("fz.sock"), t)) {
            for (int round = 0; round < 400; round++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    sb.append(SEEDS[r.nextInt(SEEDS.length)].replace("%K", key));
                }
                byte[] req = sb.toString().getBytes(StandardCharsets.UTF_8);
                for (int i = 0, n = r.nextInt(4); i < n && req.length > 0; i++) {
                    req[r.nextInt(req.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(10) == 0) {
                    req = new byte[r.nextInt(2000)];
                    r.nextBytes(req);
                }
                String reply;
                try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(s.path()))) {
                    ch.write(ByteBuffer.wrap(req));
                    ch.shutdownOutput();
                    InputStream in = Channels.newInputStream(ch);
                    reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                }
                assertTrue(REPLY.matcher(reply).matches(), "seed " + seed + " round " + round + ": reply "
                        + reply.replace("\n", "\\n") + " to " + new String(req, StandardCharsets.ISO_8859_1).replace("\n", "\\n"));
            }
            Config c = t.config();
            assertTrue(c.peers().size() <= 1, "seed " + seed);
            assertTrue(ControlServerTest.ask(s.path(), "get=1\n\n").endsWith("errno=0\n\n"), "still serving");
            assertEquals(0, s.refusedConnections());
        }
    }
}
