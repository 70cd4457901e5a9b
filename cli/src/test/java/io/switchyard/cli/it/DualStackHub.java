package io.switchyard.cli.it;

import io.switchyard.config.Config;
import io.switchyard.config.ConfigParser;
import io.switchyard.config.Key32;
import io.switchyard.router.DropReason;
import io.switchyard.router.Hub;
import io.switchyard.router.HubStats;
import io.switchyard.router.PeerStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Our hub, in-process in its own namespace, with wireguard-go clients in theirs, each joined to
 * the hub's namespace by a veth pair carrying an IPv4 and an IPv6 subnet, so that each client
 * reaches the hub over the family its {@link Client} spec says, and inside the tunnel has an
 * IPv4 and an IPv6 address. For client {@code i} (1-based):
 *
 * <pre>
 *   link     hub 10.210.i.1/24, fd00:210:i::1/64     client 10.210.i.2/24, fd00:210:i::2/64
 *   overlay  10.95.0.i and fd00:95::i (the hub's AllowedIPs for it: /32 and /128);
 *            the client routes 10.95.0.0/24 and fd00:95::/64 to the hub
 * </pre>
 *
 * Names carry a random id and a one-letter tag per topology, so that topologies of one run, and
 * runs on one machine, never share a namespace, a link or a UAPI socket.
 */
final class DualStackHub implements AutoCloseable {
    static final int PORT = 51820;
    static final String OVERLAY4 = "10.95.0.0/24";
    static final String OVERLAY6 = "fd00:95::/64";

    /**
     * How client {@code i} is set up: over which family it reaches the hub, and, for a client
     * the hub must reach first, the {@code Endpoint} the hub's config gives it (then the client
     * has no endpoint for the hub, listens on {@code listenPort} and only answers).
     */
    record Client(boolean outer6, String endpointOnHub, int listenPort) {
        static Client v4() {
            return new Client(false, null, 0);
        }

        static Client v6() {
            return new Client(true, null, 0);
        }

        /** A client that never speaks first: the hub knows it at {@code endpointOnHub}. */
        static Client answering(String endpointOnHub, int listenPort) {
            return new Client(false, endpointOnHub, listenPort);
        }
    }

    final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    final char tag;
    final List<Client> specs;
    final List<WgGoClient> clients = new ArrayList<>();
    private final List<Netns> namespaces = new ArrayList<>();
    private final String settings;
    final Netns hubNs;
    final String hubPrivate;
    final String hubPublic;
    Hub hub;

    /**
     * Builds the topology and waits for every client that speaks first to complete a handshake.
     *
     * @param settings lines of the hub's {@code [Switchyard]} section, e.g. {@code "GSO = off"}
     * @param linkMtu the MTU of the veth links, both ends
     * @param tunnelMtu the MTU of the clients' WireGuard interfaces
     */
    static DualStackHub start(char tag, String settings, int linkMtu, int tunnelMtu, List<Client> specs)
            throws Exception {
        DualStackHub t = new DualStackHub(tag, settings, specs);
        try {
            t.build(linkMtu, tunnelMtu);
            return t;
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
    }

    private DualStackHub(char tag, String settings, List<Client> specs) throws Exception {
        this.tag = tag;
        this.settings = settings;
        this.specs = List.copyOf(specs);
        this.hubNs = Netns.createOrSkip(Netns.PREFIX + id + "-" + tag + "h");
        namespaces.add(hubNs);
        this.hubPrivate = WgGoClient.wgGenkey();
        this.hubPublic = WgGoClient.wgPubkey(hubPrivate);
    }

    static String hubIp4(int i) {
        return "10.210." + i + ".1";
    }

    static String hubIp6(int i) {
        return "fd00:210:" + i + "::1";
    }

    static String clientIp4(int i) {
        return "10.210." + i + ".2";
    }

    static String clientIp6(int i) {
        return "fd00:210:" + i + "::2";
    }

    private void build(int linkMtu, int tunnelMtu) throws Exception {
        for (int i = 1; i <= specs.size(); i++) {
            Netns ns = Netns.create(Netns.PREFIX + id + "-" + tag + i);
            namespaces.add(ns);
            hubNs.link("h" + tag + id + i, List.of(hubIp4(i) + "/24", hubIp6(i) + "/64"),
                    ns, "c" + tag + id + i, List.of(clientIp4(i) + "/24", clientIp6(i) + "/64"), linkMtu);
            clients.add(new WgGoClient(ns, "wg" + tag + id + i, WgGoClient.wgGenkey(), "10.95.0." + i, "fd00:95::" + i));
        }
        Config config = parse(configText(""));
        hub = hubNs.inside(() -> Hub.start(config));
        for (int i = 1; i <= specs.size(); i++) {
            Client spec = specs.get(i - 1);
            WgGoClient c = clients.get(i - 1);
            String endpoint = spec.endpointOnHub() != null ? null
                    : spec.outer6() ? WgGoClient.endpoint(hubIp6(i), PORT) : WgGoClient.endpoint(hubIp4(i), PORT);
            c.start(hubPublic, endpoint, spec.listenPort(), List.of(OVERLAY4, OVERLAY6));
            c.ns.must("ip", "link", "set", c.ifname, "mtu", Integer.toString(tunnelMtu));
        }
        for (int i = 1; i <= specs.size(); i++) {
            if (specs.get(i - 1).endpointOnHub() == null) {
                awaitPeer(client(i), p -> p.lastHandshake().isPresent(), "first handshake");
            }
        }
    }

    /** Client {@code i}, 1-based as in the addressing plan. */
    WgGoClient client(int i) {
        return clients.get(i - 1);
    }

    /**
     * The hub's configuration, with {@code interfaceLines} (such as {@code "MTU = 1420\n"}) added
     * to its {@code [Interface]} section.
     */
    String configText(String interfaceLines) {
        StringBuilder text = new StringBuilder("[Interface]\nPrivateKey = " + hubPrivate + "\nListenPort = " + PORT + "\n")
                .append(interfaceLines)
                .append("\n[Switchyard]\n").append(settings).append("\n");
        for (int i = 1; i <= specs.size(); i++) {
            WgGoClient c = client(i);
            text.append("\n[Peer]\nPublicKey = ").append(c.publicKey)
                    .append("\nAllowedIPs = ").append(c.overlay).append("/32, ").append(c.overlay6).append("/128\n");
            if (specs.get(i - 1).endpointOnHub() != null) {
                text.append("Endpoint = ").append(specs.get(i - 1).endpointOnHub()).append("\n");
            }
        }
        return text.toString();
    }

    Config parse(String text) throws Exception {
        return ConfigParser.parse("hub-" + tag + id + ".conf", text, Path.of(".")).config();
    }

    PeerStats peer(WgGoClient c) {
        Key32 key = Key32.fromBase64(c.publicKey);
        return hub.stats().peers().stream().filter(p -> p.publicKey().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("hub has no peer " + c.publicKey));
    }

    PeerStats awaitPeer(WgGoClient c, Predicate<PeerStats> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // hang guard
        while (true) {
            PeerStats p = peer(c);
            if (condition.test(p)) {
                return p;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " never happened for " + c.ifname + ": " + p + "\nclient: "
                        + c.wg("show", c.ifname));
            }
            Thread.sleep(50);
        }
    }

    static long drops(HubStats s, DropReason reason) {
        return s.drops().getOrDefault(reason, 0L);
    }

    static long counter(HubStats s, String name) {
        Long v = s.counters().get(name);
        if (v == null) {
            throw new AssertionError("the hub has no counter " + name + ": " + s.counters().keySet());
        }
        return v;
    }

    /**
     * Waits until the hub's books balance, {@code rxPackets + local.originated = forwarded +
     * consumed + dropped}, and fails with the figures if they do not within 5 s. The counters are
     * read one by one while keepalives keep arriving, and a forwarded packet is counted when its
     * send returns, so a snapshot may catch a few packets in flight; a lost count stays unbalanced.
     */
    void awaitBalanced(String after) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            HubStats s = hub.stats();
            long in = s.rxPackets() + counter(s, "local.originated");
            long out = counter(s, "forwarded") + counter(s, "consumed") + s.dropped();
            if (in == out) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + after + " the hub's accounting does not balance: rx " + s.rxPackets()
                        + " + originated " + counter(s, "local.originated") + " = " + in + ", but forwarded "
                        + counter(s, "forwarded") + " + consumed " + counter(s, "consumed") + " + dropped "
                        + s.dropped() + " = " + out + "; drops " + nonZero(s));
            }
            Thread.sleep(20);
        }
    }

    /**
     * Outer packets the kernel of the hub's namespace has fragmented (IPv4 {@code FragCreates}
     * plus IPv6 {@code Ip6FragCreates}). A datagram bigger than the path is fragmented when the
     * hub sends it on its own (GSO off, or a refused train resent singly), so it still arrives:
     * this count is how a test sees that the hub made a datagram the path does not carry.
     */
    long fragmentsCreated() throws java.io.IOException {
        long n = 0;
        String[] snmp = hubNs.must("cat", "/proc/net/snmp").out().split("\n");
        for (int i = 0; i + 1 < snmp.length; i++) {
            if (snmp[i].startsWith("Ip: ") && snmp[i + 1].startsWith("Ip: ")) {
                List<String> names = List.of(snmp[i].split("\\s+"));
                n += Long.parseLong(snmp[i + 1].split("\\s+")[names.indexOf("FragCreates")]);
                break;
            }
        }
        for (String line : hubNs.must("cat", "/proc/net/snmp6").out().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("Ip6FragCreates")) {
                n += Long.parseLong(f[1]);
            }
        }
        return n;
    }

    /** The drops counted between two snapshots, by reason, for messages and figures ("-" for none). */
    static String dropsBetween(HubStats before, HubStats after) {
        StringBuilder b = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            long d = drops(after, r) - drops(before, r);
            if (d != 0) {
                b.append(b.isEmpty() ? "" : " ").append(r).append('=').append(d);
            }
        }
        return b.isEmpty() ? "-" : b.toString();
    }

    /** The drop reasons that counted something, for messages. */
    static String nonZero(HubStats s) {
        StringBuilder b = new StringBuilder("{");
        s.drops().entrySet().stream().filter(e -> e.getValue() != 0).sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> b.append(b.length() > 1 ? ", " : "").append(e.getKey()).append('=').append(e.getValue()));
        return b.append('}').toString();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (WgGoClient c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (hub != null) {
            hub.close();
        }
        for (Netns ns : namespaces) {
            try {
                ns.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
