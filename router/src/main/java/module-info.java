/** The WireGuard router: protocol, router and peer actors, control plane, CLI and embeddable API. */
module io.switchyard.router {
    requires io.switchyard.actors;
    requires io.switchyard.io;
    requires io.switchyard.zerocopy;
    requires io.switchyard.config;
    requires com.github.benmanes.caffeine;
    requires org.bouncycastle.provider;
    requires info.picocli;
    exports io.switchyard.router;
    opens io.switchyard.router.cli to info.picocli;
}
