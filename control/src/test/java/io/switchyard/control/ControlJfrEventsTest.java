package io.switchyard.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchyard.control.testing.MemoryTarget;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlJfrEventsTest {

    @Test
    void configAppliedIsOnByDefault() {
        jdk.jfr.Enabled e = ConfigAppliedEvent.class.getAnnotation(jdk.jfr.Enabled.class);
        assertEquals(true, e == null || e.value());
    }

    @Test
    void aSetThroughTheControlSocketRecordsConfigApplied(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.jfr");
        var target = new MemoryTarget(MemoryTarget.config("jf", MemoryTarget.newPrivateKey(), List.of()));
        try (Recording r = new Recording(); ControlServer s = ControlServer.start(dir.resolve("j.sock"), target)) {
            r.enable("io.switchyard.ConfigApplied");
            r.start();
            String pk = Uapi.hex(MemoryTarget.randomPublic());
            assertEquals("errno=0\n\n", ControlServerTest.ask(s.path(), "set=1\npublic_key=" + pk + "\nallowed_ip=10.0.0.0/8\n\n"));
            assertEquals("errno=-22\n\n", ControlServerTest.ask(s.path(), "set=1\nfwmark=x\n\n"));
            r.stop();
            r.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.switchyard.ConfigApplied"))
                .sorted(java.util.Comparator.comparing(RecordedEvent::getStartTime)).toList();
        assertEquals(2, events.size());
        assertEquals(1, events.get(0).getInt("added"));
        assertEquals(0, events.get(0).getInt("errno"));
        assertEquals(22, events.get(1).getInt("errno"));
        assertEquals("uapi-set", events.get(1).getString("source"));
    }

}
