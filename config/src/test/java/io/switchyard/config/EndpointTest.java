package io.switchyard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void aSocketAddressIsSpelledAsTheConfigFileWould() throws Exception {
        assertEquals("192.0.2.7:51820", Endpoint.of(new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51820)).toString());
        assertEquals("[2001:db8::7]:40000",
                Endpoint.of(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:0:0:0:7"), 40000)).toString());
        InetAddress scoped = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
        assertEquals("[fe80::1]:9", Endpoint.of(new InetSocketAddress(scoped, 9)).toString(), "the scope is left out");
        assertEquals(Endpoint.parse("[2001:db8::7]:40000"),
                Endpoint.of(new InetSocketAddress(InetAddress.getByName("2001:db8::7"), 40000)), "what parse reads back");
        assertThrows(IllegalArgumentException.class, () -> Endpoint.of(InetSocketAddress.createUnresolved("example.org", 1)));
    }
}
