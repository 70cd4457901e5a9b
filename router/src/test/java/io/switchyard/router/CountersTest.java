package io.switchyard.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.actors.ActorCounter;
import io.switchyard.config.Config;
import io.switchyard.config.InterfaceConfig;
import io.switchyard.config.Key32;
import io.switchyard.config.RouterSettings;
import io.switchyard.counters.CounterDescriptor;
import io.switchyard.counters.CounterDescriptors;
import io.switchyard.counters.Metric;
import io.switchyard.io.IoCounter;
import io.switchyard.wireguard.Keys;
import io.switchyard.zerocopy.ZerocopyCounter;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every counter the hub reports is described once: unique ids and names per enum, unique names in the stats. */
class CountersTest {
    @Test
    void everyDescriptorEnumKeepsItsContract() {
        CounterDescriptors.validate(DropReason.class);
        CounterDescriptors.validate(HubCounter.class);
        CounterDescriptors.validate(HubMetric.class);
        CounterDescriptors.validate(IoCounter.class);
        CounterDescriptors.validate(ZerocopyCounter.class);
        CounterDescriptors.validate(ActorCounter.class);
    }

    @Test
    void aHubReportsEveryMetricOnceWithItsKind() throws Exception {
        Config c = new Config("counters", InterfaceConfig.of(Key32.of(Keys.generatePrivateKey())),
                RouterSettings.defaults().with(io.switchyard.config.Setting.CONTROL_SOCKET, "off"), List.of());
        try (Hub hub = Hub.start(c)) {
            List<Metric> metrics = hub.stats().metrics();
            Set<String> names = new HashSet<>();
            for (Metric m : metrics) {
                assertTrue(names.add(m.name()), "twice: " + m.name());
                assertTrue(!m.description().isBlank(), m.name());
            }
            int expected = HubCounter.values().length + HubMetric.values().length + IoCounter.values().length
                    + ZerocopyCounter.values().length + ActorCounter.values().length;
            assertEquals(expected, metrics.size());
            assertEquals(CounterDescriptor.Kind.GAUGE, metrics.stream().filter(m -> m.name().equals("pool.in_use"))
                    .findFirst().orElseThrow().kind());
            assertEquals(CounterDescriptor.Kind.COUNTER, metrics.stream().filter(m -> m.name().equals("io.gso_trains"))
                    .findFirst().orElseThrow().kind());
        }
    }
}
