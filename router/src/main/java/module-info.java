/**
 * The WireGuard router: protocol, router and peer actors, control plane, CLI and embeddable API.
 *
 * <p>Helpers adding a package add one {@code exports} line, kept in alphabetical order.
 */
module io.switchyard.router {
    requires transitive io.switchyard.counters;
    requires transitive io.switchyard.actors;
    requires io.switchyard.io;
    requires io.switchyard.zerocopy;
    requires transitive io.switchyard.config;
    requires com.github.benmanes.caffeine;
    requires org.bouncycastle.provider;
    requires info.picocli;
    requires jdk.unsupported; // sun.misc.Signal: SIGHUP reload and clean SIGTERM/SIGINT in `switchyard up`
    requires jdk.httpserver;
    requires jdk.jfr;
    requires static jdk.incubator.vector; // the ChaCha20-Poly1305 vector kernel, used only when the JVM resolves it (--add-modules)
    exports io.switchyard.router;
    exports io.switchyard.router.client;
    exports io.switchyard.router.control;
    exports io.switchyard.router.crypto;
    exports io.switchyard.router.noise;
    exports io.switchyard.router.peer;
    exports io.switchyard.router.protocol;
    exports io.switchyard.router.routing;
    exports io.switchyard.router.session;
    exports io.switchyard.router.timers;
    opens io.switchyard.router.cli to info.picocli;
}
