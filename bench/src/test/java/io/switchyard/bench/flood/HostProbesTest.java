package io.switchyard.bench.flood;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parsers of what the harness reads from /proc and the tools, on captured output. */
class HostProbesTest {
    @Test
    void cpuTicksAreUtimePlusStimeCountedAfterTheCommandName() {
        // a command name with a space and a parenthesis, as /proc allows
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1500 250 0 0 20 0 40 0 12345 0 0";
        assertEquals(1750, HostProbes.cpuTicks(stat));
    }

    @Test
    void statusLinesAndUdpDrops() {
        String status = "Name:\tjava\nVmHWM:\t 1250000 kB\nVmRSS:\t 1221052 kB\nThreads:\t40\n";
        assertEquals(1221052, HostProbes.statusKb(status, "VmRSS"));
        assertEquals(1250000, HostProbes.statusKb(status, "VmHWM"));
        assertEquals(-1, HostProbes.statusKb(status, "VmSwap"));
        String udp = """
                   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
                  120: 00000000:CA6C 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81234 2 0000000000000000 17
                  121: 0100007F:1234 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81235 2 0000000000000000 5
                """;
        assertEquals(22, HostProbes.udpDrops(udp));
    }

    @Test
    void pingAndIperfSummaries() {
        HostProbes.Ping p = HostProbes.Ping.parse("""
                PING 10.96.0.2 (10.96.0.2) 56(84) bytes of data.

                --- 10.96.0.2 ping statistics ---
                40 packets transmitted, 39 received, 2.5% packet loss, time 3905ms
                rtt min/avg/max/mdev = 0.512/6.031/20.771/4.101 ms
                """);
        assertEquals(new HostProbes.Ping(40, 39, 6.031, 20.771), p);
        assertEquals(2.5, p.lossPercent(), 1e-9);
        HostProbes.Ping none = HostProbes.Ping.parse("10 packets transmitted, 0 received, 100% packet loss, time 9000ms\n");
        assertEquals(0, none.received());
        assertTrue(Double.isNaN(none.rttAvgMs()));

        HostProbes.Iperf i = HostProbes.Iperf.parse("""
                {"end": {"sum_sent": {"start": 0, "end": 4.0, "seconds": 4.0, "bytes": 570000000,
                  "bits_per_second": 1.14e+09, "retransmits": 15268, "sender": true},
                 "sum_received": {"start": 0, "end": 4.04, "seconds": 4.04, "bytes": 567219992,
                  "bits_per_second": 1131700000.5, "sender": true}}}
                """);
        assertEquals(new HostProbes.Iperf(567219992, 1131700000.5, 15268), i);
    }

    @Test
    void jstatGcHeapUsedAndCollections() {
        HostProbes.Gc gc = HostProbes.jstatGc("""
                    S0C         S1C         S0U         S1U          EC           EU           OC           OU          MC         MU       CCSC      CCSU     YGC     YGCT     FGC    FGCT     CGC    CGCT       GCT
                  87040.0     87040.0         0.0      1024.0     175104.0      10240.0     699392.0       1100.5    20480.0    19000.0    2048.0    1800.0      3     0.012     1     0.030     -          -     0.042
                """);
        assertEquals(12364, gc.heapUsedKb());
        assertEquals(4, gc.collections());
        assertEquals(0.042, gc.seconds(), 1e-9);
    }

    @Test
    void theLiveIndexIsTheWordAtOffsetFourOfTheFirstCapturedMessage() {
        List<String> out = List.of(
                "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode",
                "listening on to-a, link-type EN10MB (Ethernet), snapshot length 262144 bytes",
                "22:15:51.123 IP 10.212.1.2.45678 > 10.212.1.1.51820: UDP, length 128",
                "\t0x0000:  4500 009c 1c46 4000 4011 0000 0ad4 0102",
                "\t0x0010:  0ad4 0101 b26e ca6c 0088 0000 0400 0000",
                "\t0x0020:  7856 3412 0000 0000 0000 0000 aaaa bbbb",
                "1 packet captured");
        assertEquals(0x12345678, HostProbes.receiverIndexFromTcpdump(out));
        assertNull(HostProbes.receiverIndexFromTcpdump(List.of("listening on to-a", "0 packets captured")));
    }
}
