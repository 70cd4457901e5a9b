package io.switchyard.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CounterSetTest {
    enum Sample implements CounterDescriptor {
        SENT(0, "things sent"),
        DEPTH(1, "queue depth now") {
            @Override
            public Kind kind() {
                return Kind.GAUGE;
            }
        };

        private final int id;
        private final String description;

        Sample(int id, String description) {
            this.id = id;
            this.description = description;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String description() {
            return description;
        }
    }

    enum Clash implements CounterDescriptor {
        A, B;

        @Override
        public int id() {
            return 7;
        }

        @Override
        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String description() {
            return "x";
        }
    }

    private static CounterSet<Sample> make(String mode) {
        Function<Class<Sample>, CounterSet<Sample>> f = switch (mode) {
            case "atomic" -> CounterSet::atomic;
            case "striped" -> CounterSet::striped;
            default -> CounterSet::singleWriter;
        };
        return f.apply(Sample.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"atomic", "striped"})
    void concurrentWritersLoseNothing(String mode) throws Exception {
        CounterSet<Sample> set = make(mode);
        int threads = 4;
        int each = 200_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    set.increment(Sample.SENT);
                    set.add(Sample.DEPTH, 2);
                }
            }));
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertEquals((long) threads * each, set.get(Sample.SENT));
        assertEquals(2L * threads * each, set.get(Sample.DEPTH));
    }

    @Test
    void aSingleWritersValuesAreSeenByAReader() throws Exception {
        CounterSet<Sample> set = CounterSet.singleWriter(Sample.class);
        Thread w = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 1_000_000; i++) {
                set.increment(Sample.SENT);
            }
        });
        long last = 0;
        while (w.isAlive()) {
            long v = set.get(Sample.SENT);
            assertEquals(true, v >= last, "never goes back");
            last = v;
        }
        w.join();
        assertEquals(1_000_000, set.get(Sample.SENT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"atomic", "single"})
    void maxOnlyRaises(String mode) {
        CounterSet<Sample> set = make(mode);
        set.max(Sample.SENT, 5);
        set.max(Sample.SENT, 3);
        assertEquals(5, set.get(Sample.SENT));
    }

    @Test
    void metricsCarryNameKindAndHelp() {
        CounterSet<Sample> set = CounterSet.atomic(Sample.class);
        set.add(Sample.DEPTH, 3);
        List<Metric> m = set.metrics("q");
        assertEquals(new Metric("q.sent", CounterDescriptor.Kind.COUNTER, "things sent", 0), m.get(0));
        assertEquals(new Metric("q.depth", CounterDescriptor.Kind.GAUGE, "queue depth now", 3), m.get(1));
        assertEquals("{depth=3}", set.toString());
    }

    @Test
    void validateCatchesSharedIds() {
        CounterDescriptors.validate(Sample.class);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CounterDescriptors.validate(Clash.class));
        assertEquals("Clash: A and B share id 7", e.getMessage());
    }
}
