/**
 * WireGuard without sockets or threads: the message formats and constants, the crypto engines,
 * Noise IKpsk2 and cookies, sessions and the replay window, the timers, AllowedIPs, the inner IP
 * headers, and the peer engine that ties them together for one peer. Embedders see only what
 * they need (keys, the constants, the inner-packet helpers); the engine's packages are exported
 * to the Switchyard modules built on it.
 */
module io.switchyard.wireguard {
    requires transitive io.switchyard.config;
    requires com.github.benmanes.caffeine;
    requires org.bouncycastle.provider;
    requires static jdk.incubator.vector; // the ChaCha20-Poly1305 vector kernel, used only when the JVM resolves it (--add-modules)
    exports io.switchyard.wireguard;
    exports io.switchyard.wireguard.ip;
    exports io.switchyard.wireguard.crypto to io.switchyard.router, io.switchyard.control, io.switchyard.cli;
    exports io.switchyard.wireguard.noise to io.switchyard.router;
    exports io.switchyard.wireguard.peer to io.switchyard.router;
    exports io.switchyard.wireguard.routing to io.switchyard.router;
    exports io.switchyard.wireguard.session to io.switchyard.router;
    exports io.switchyard.wireguard.timers to io.switchyard.router;
}
