package io.switchyard.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link SockAddr#sameAs} and {@code equals} (word compares on the receive path) against the
 * obvious reference, {@link InetSocketAddress#equals}, on random IPv4 and IPv6 addresses that
 * differ in one byte, the port, the scope or not at all.
 */
class SockAddrTest {
    @Test
    void sameAsAgreesWithInetSocketAddressEquality() throws UnknownHostException {
        SplittableRandom rnd = new SplittableRandom(3);
        List<InetSocketAddress> pool = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] ip = new byte[rnd.nextBoolean() ? 4 : 16];
            rnd.nextBytes(ip);
            if (ip.length == 16 && ip[0] == 0) {
                ip[0] = 0x20; // keep clear of IPv4-compatible and mapped forms: they decode as IPv4
            }
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByAddress(ip), 1 + rnd.nextInt(65535));
            pool.add(a);
            // Neighbours: the same but for the last address byte, the first, or the port.
            byte[] last = ip.clone();
            last[last.length - 1] ^= 1;
            pool.add(new InetSocketAddress(InetAddress.getByAddress(last), a.getPort()));
            byte[] first = ip.clone();
            first[0] ^= (byte) 0x80;
            pool.add(new InetSocketAddress(InetAddress.getByAddress(first), a.getPort()));
            pool.add(new InetSocketAddress(a.getAddress(), a.getPort() % 65535 + 1));
            pool.add(new InetSocketAddress(a.getAddress(), a.getPort())); // equal, another object
        }
        int same = 0;
        for (InetSocketAddress x : pool) {
            SockAddr sx = SockAddr.of(x);
            for (InetSocketAddress y : pool) {
                SockAddr sy = SockAddr.of(y);
                boolean expected = x.equals(y);
                assertEquals(expected, sx.sameAs(sy.segment(), 0), x + " vs " + y);
                assertEquals(expected, sx.equals(sy), x + " vs " + y);
                same += expected ? 1 : 0;
            }
        }
        assertEquals(true, same > pool.size(), "the pool must hold equal pairs");
        assertFalse(SockAddr.allocate().sameAs(SockAddr.allocate().segment(), 0), "an empty address matches nothing");
    }
}
