/**
 * The hub: the router (receiver) and peer actors, connected sockets, handshake workers, the hub's
 * own addresses, and the public API an embedder uses: {@code Hub}, its events, stats, counters
 * and drop reasons ({@code io.switchyard.router}), and client mode ({@code io.switchyard.router.client}).
 * The actors are internal ({@code io.switchyard.router.hub}). No CLI, no HTTP server here: an
 * embedder gets neither picocli nor {@code jdk.httpserver}.
 */
module io.switchyard.router {
    requires transitive io.switchyard.counters;
    requires transitive io.switchyard.actors;
    requires transitive io.switchyard.config;
    requires transitive io.switchyard.wireguard;
    requires io.switchyard.io;
    requires io.switchyard.zerocopy;
    requires jdk.jfr;
    exports io.switchyard.router;
    exports io.switchyard.router.client;
    uses io.switchyard.router.HubFactory;
    provides io.switchyard.router.HubFactory with io.switchyard.router.hub.HubService;
}
