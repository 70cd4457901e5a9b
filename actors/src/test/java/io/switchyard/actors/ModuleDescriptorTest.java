package io.switchyard.actors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Placeholder until the module has real code: its compiled descriptor exports its package. */
class ModuleDescriptorTest {
    @Test
    void descriptorExportsThePackage() throws Exception {
        var descriptor = java.lang.module.ModuleDescriptor.read(
                Files.newInputStream(Path.of("target/classes/module-info.class")));
        assertTrue(descriptor.exports().stream().anyMatch(e -> e.source().equals("io.switchyard.actors")));
    }
}
