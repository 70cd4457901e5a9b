package io.switchyard.router.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchyard.router.hub.FlushEvent;
import io.switchyard.router.hub.HandshakeEvent;
import io.switchyard.router.hub.ReceiveBatchEvent;
import io.switchyard.wireguard.bench.AllocationMeter;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrEventsTest {

    @Test
    void eventsAreRecordedWithTheirFieldsWhenEnabled(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.jfr");
        try (Recording r = new Recording()) {
            r.enable("io.switchyard.ReceiveBatch");
            r.enable("io.switchyard.Flush");
            r.enable("io.switchyard.Handshake");
            r.start();
            ReceiveBatchEvent.commit(1, 64, 90_000, 32);
            FlushEvent.commit("peerA", 40, 56_000, 1, true);
            HandshakeEvent.commit("peerB", "initiation", "received", "127.0.0.1:5000", "rejected", "bad-mac1");
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.switchyard.")).toList();
        assertEquals(3, events.size(), events.toString());
        RecordedEvent rb = byName(events, "io.switchyard.ReceiveBatch");
        assertEquals(1, rb.getInt("socket"));
        assertEquals(64, rb.getInt("datagrams"));
        assertEquals(90_000, rb.getLong("bytes"));
        assertEquals(32, rb.getInt("groSegments"));
        RecordedEvent f = byName(events, "io.switchyard.Flush");
        assertEquals("peerA", f.getString("peer"));
        assertTrue(f.getBoolean("zeroCopy"));
        RecordedEvent h = byName(events, "io.switchyard.Handshake");
        assertEquals("bad-mac1", h.getString("reason"));
        assertEquals("rejected", h.getString("outcome"));
    }

    @Test
    void dataPathEventsAreOffByDefaultAndHandshakesOn() {
        assertEquals(false, defaultEnabled(ReceiveBatchEvent.class));
        assertEquals(false, defaultEnabled(FlushEvent.class));
        assertEquals(true, defaultEnabled(HandshakeEvent.class));
    }

    private static boolean defaultEnabled(Class<? extends jdk.jfr.Event> c) {
        jdk.jfr.Enabled e = c.getAnnotation(jdk.jfr.Enabled.class);
        return e == null || e.value();
    }

    @Test
    void disabledEventsDoNotAllocateOnceCompiledEvenAfterARecordingUsedThem() {
        // first let a recording enable and commit them, so the commit path is in the profile
        try (Recording r = new Recording()) {
            r.enable("io.switchyard.ReceiveBatch");
            r.enable("io.switchyard.Flush");
            r.start();
            for (int i = 0; i < 20_000; i++) {
                ReceiveBatchEvent.commit(0, i, i, 0);
                FlushEvent.commit("p", i, i, 0, false);
            }
            r.stop();
        }
        Runnable body = () -> {
            for (int i = 0; i < 10_000; i++) {
                ReceiveBatchEvent.commit(0, i, i, 0);
                FlushEvent.commit("p", i, i, 0, false);
            }
        };
        // the interpreter allocates the event objects; C2's escape analysis removes them. Give the
        // JIT rounds to get there rather than a time (tests are not timing-sensitive).
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 200 && best > 1024; round++) {
            best = Math.min(best, AllocationMeter.allocatedBy(body));
        }
        assertTrue(best <= 1024, "20,000 disabled commits allocated " + best + " bytes");
    }

    private static RecordedEvent byName(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).findFirst().orElseThrow();
    }
}
