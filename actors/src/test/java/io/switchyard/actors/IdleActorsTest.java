package io.switchyard.actors;

import static io.switchyard.actors.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 100,000 actors that have each handled a message and gone idle hold no thread. Threads are
 * counted independently of the runtime's own bookkeeping: platform threads from
 * {@link Thread#getAllStackTraces()}, virtual threads (which that map does not list) from a JSON
 * thread dump ({@code HotSpotDiagnosticMXBean.dumpThreads}), whose entries mark them
 * {@code "virtual": true}.
 */
class IdleActorsTest {
    private static final Pattern VIRTUAL_ENTRY =
            Pattern.compile("\"virtual\"\\s*:\\s*true\\s*,\\s*\"name\"\\s*:\\s*\"([^\"]*)\"");

    private static long platformThreadsExceptCarriers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("ForkJoinPool-")).count();
    }

    /** Names of the live virtual threads, from a JSON thread dump of this JVM. */
    static List<String> virtualThreadNames() throws Exception {
        // Reflection: the test sources compile inside the module, which does not read jdk.management.
        Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
        Object bean = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getPlatformMXBean", Class.class).invoke(null, beanType);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object json = Enum.valueOf((Class) Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat"), "JSON");
        Method dump = beanType.getMethod("dumpThreads", String.class, json.getClass());
        Path dir = Files.createTempDirectory("idle-actors-dump");
        Path file = dir.resolve("threads.json"); // must not exist yet
        try {
            dump.invoke(bean, file.toString(), json);
            Matcher m = VIRTUAL_ENTRY.matcher(Files.readString(file));
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static long actorThreads(String system) throws Exception {
        return virtualThreadNames().stream().filter(n -> n.equals(system + "-actor")).count();
    }

    @Test
    void theThreadDumpSeesVirtualThreads() throws Exception {
        // Guards the counting method itself: parked virtual threads must show up in the dump.
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> probes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            probes.add(Thread.ofVirtual().name("idle-probe-" + i).start(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            await("probes parked", () -> probes.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
            assertEquals(3, virtualThreadNames().stream().filter(n -> n.startsWith("idle-probe-")).count());
        } finally {
            release.countDown();
            for (Thread t : probes) {
                t.join();
            }
        }
    }

    @Test
    void hundredThousandIdleActorsHoldNoThreads() throws Exception {
        long baseline = platformThreadsExceptCarriers();
        long virtualBaseline = virtualThreadNames().size();
        try (ActorSystem system = ActorSystem.builder("idle").build()) {
            int n = 100_000;
            AtomicLong handled = new AtomicLong();
            List<ActorRef<Integer>> refs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                refs.add(system.spawn(Props.<Integer>of(ctx -> m -> handled.incrementAndGet()), "peer"));
            }
            for (ActorRef<Integer> r : refs) {
                r.tell(1);
            }
            await("all handled", () -> handled.get() == n);
            await("all idle", () -> system.runningThreads() == 0);
            assertEquals(n, system.liveActors());
            // Only the system's timer thread is added; no platform thread per actor.
            assertTrue(platformThreadsExceptCarriers() <= baseline + 1,
                    "platform threads grew from " + baseline + " to " + platformThreadsExceptCarriers());
            int carriers = (int) Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ForkJoinPool-")).count();
            assertTrue(carriers <= 256, "carriers: " + carriers);
            // No virtual thread is left on behalf of an idle actor, by the JVM's own account: an
            // activation that has counted itself out may take a moment to exit, hence the wait.
            await("no activation thread alive", () -> {
                try {
                    return actorThreads("idle") == 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            long virtualNow = virtualThreadNames().size();
            assertTrue(virtualNow <= virtualBaseline, "virtual threads grew from " + virtualBaseline + " to " + virtualNow);
            assertEquals(0, system.runningThreads());
        }
    }
}
