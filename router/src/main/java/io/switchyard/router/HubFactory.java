package io.switchyard.router;

import io.switchyard.config.Config;
import java.io.IOException;
import java.util.ServiceLoader;

/**
 * What starts a {@link Hub}: the hub's implementation provides it as a service
 * ({@code provides io.switchyard.router.HubFactory} in the router module), so this API package
 * never names the implementation's and the dependency runs one way, implementation to API.
 */
public interface HubFactory {
    /** Starts a hub; see {@link Hub#start(Config)}. */
    Hub start(Config config) throws IOException;

    /** The installed factory (the router module's own). */
    static HubFactory installed() {
        return Holder.FACTORY;
    }

    /** Looked up once, when first asked. */
    final class Holder {
        private static final HubFactory FACTORY = ServiceLoader.load(HubFactory.class, HubFactory.class.getClassLoader())
                .findFirst().orElseThrow(() -> new IllegalStateException(
                        "no io.switchyard.router.HubFactory installed: is the router module (or jar) complete?"));

        private Holder() {}
    }
}
