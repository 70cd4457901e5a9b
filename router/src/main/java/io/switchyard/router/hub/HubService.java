package io.switchyard.router.hub;

import io.switchyard.config.Config;
import io.switchyard.router.Hub;
import io.switchyard.router.HubFactory;
import io.switchyard.wireguard.crypto.HybridChaCha20Poly1305;
import java.io.IOException;

/** The router module's {@link HubFactory}: a hub on the real machine ({@link HubEnvironment#system()}). */
public final class HubService implements HubFactory {
    @Override
    public Hub start(Config config) throws IOException {
        HybridChaCha20Poly1305.warmUp(); // the AEAD's vector kernel compiles while peers handshake
        return HubCore.start(config);
    }
}
